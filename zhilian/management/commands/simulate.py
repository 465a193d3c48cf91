"""`manage.py simulate`: play a service on the demo chain through the services (zhilian.simulation)."""

from __future__ import annotations

import signal
import threading

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections

from stores.models import Store
from zhilian.simulation import Simulation, default_stores


class Command(BaseCommand):
    help = (
        "Play a realistic service on the demo stores: orders by channel at the seeded hourly demand moving "
        "through the kitchen, reservations booked, seated and completed, occasional waste - all through the "
        "services, stamped at the real time. Stops on Ctrl-C / SIGTERM with a summary."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--stores",
            default="",
            help="comma-separated store IDs, e.g. STORE001,STORE002 (default: the first 3 active)",
        )
        parser.add_argument(
            "--speed",
            type=float,
            default=1.0,
            help="service minutes per real minute: 1 = real time, 60 = an hour a minute; above 1 the closed hours "
            "are skipped (default 1)",
        )
        parser.add_argument("--duration", type=float, default=None, help="stop after this many real seconds")
        parser.add_argument("--seed", type=int, default=None, help="random seed for a repeatable run")
        parser.add_argument("--tick", type=float, default=1.0, help="real seconds between steps (default 1)")

    def handle(self, *args, **opts) -> None:
        if opts["speed"] <= 0:
            raise CommandError("--speed must be positive.")
        if opts["tick"] <= 0:
            raise CommandError("--tick must be positive.")
        if opts["duration"] is not None and opts["duration"] < 0:
            raise CommandError("--duration must not be negative.")
        if opts["stores"]:
            ids = [s.strip() for s in opts["stores"].split(",") if s.strip()]
            found = {s.pk: s for s in Store.objects.filter(pk__in=ids)}
            missing = [i for i in ids if i not in found]
            if missing:
                raise CommandError(f"Unknown store(s): {', '.join(missing)}")
            stores = [found[i] for i in ids]
        else:
            stores = default_stores()
        if not stores:
            raise CommandError("No active store to simulate: run `manage.py seed` first.")

        verbose = opts["verbosity"] >= 2
        quiet = opts["verbosity"] < 1
        stop = threading.Event()
        previous = self._install_handlers(stop)
        sim = Simulation(
            stores=stores,
            speed=opts["speed"],
            seed=opts["seed"],
            stop=stop,
            tick=opts["tick"],
            log=self.stdout.write if verbose else (self._quiet_log if not quiet else None),
        )
        if not quiet:
            self.stdout.write(
                f"Simulating {', '.join(s.pk for s in stores)} at speed {opts['speed']:g} "
                "(Ctrl-C stops and prints a summary)"
            )
        try:
            tally = sim.run(duration=opts["duration"])
        finally:
            self._restore_handlers(previous)
            connections.close_all()
        if not quiet:
            self.stdout.write("Simulation stopped.")
            for line in tally.lines():
                self.stdout.write(f"  {line}")

    def _quiet_log(self, message: str) -> None:
        # At the default verbosity only the clock's idles and jumps are worth a line.
        if message.startswith("closed:"):
            self.stdout.write(message)

    @staticmethod
    def _install_handlers(stop: threading.Event) -> dict:
        """SIGINT/SIGTERM finish the current step and stop the loop (only in the main thread)."""
        if threading.current_thread() is not threading.main_thread():
            return {}
        previous = {}
        for sig in (signal.SIGINT, signal.SIGTERM):
            previous[sig] = signal.signal(sig, lambda *_: stop.set())
        return previous

    @staticmethod
    def _restore_handlers(previous: dict) -> None:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
