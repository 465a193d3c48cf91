"""Party-size bands of a store's walk-in queue (小桌 A, 中桌 B, 大桌 C): pure rules, no database.

A store may set its own in ``Store.config["waitlist_bands"]``: a list of
``{"code": "A", "min": 1, "max": 2, "name": "小桌"}`` ordered by size, the last one's ``max``
may be null (open-ended). Codes are one capital letter; ranges must not overlap or leave a gap
(a party of any size from 1 up must land in exactly one band). An invalid setting falls back to
the chain's bands, so a typo in the admin never stops the kiosk.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

CONFIG_KEY = "waitlist_bands"


@dataclass(frozen=True)
class Band:
    code: str
    min_party: int
    max_party: int | None  # None: no upper bound
    name: str = ""

    def fits(self, party_size: int) -> bool:
        return party_size >= self.min_party and (self.max_party is None or party_size <= self.max_party)

    def label(self) -> str:
        if self.name:
            return self.name
        return str(DEFAULT_NAMES.get(self.code, self.code))

    def range_label(self) -> str:
        return f"{self.min_party}–{self.max_party}" if self.max_party is not None else f"{self.min_party}+"


DEFAULT_NAMES = {"A": _("Small table"), "B": _("Medium table"), "C": _("Large table")}
DEFAULT_BANDS = (Band("A", 1, 2), Band("B", 3, 4), Band("C", 5, None))


def parse_bands(value) -> tuple[Band, ...] | None:
    """The bands a config value describes, or None when it is not a valid description."""
    if not isinstance(value, list) or not value or len(value) > 6:
        return None
    bands: list[Band] = []
    expected_min = 1
    for i, entry in enumerate(value):
        if not isinstance(entry, dict):
            return None
        code, low, high, name = entry.get("code"), entry.get("min"), entry.get("max"), entry.get("name", "")
        last = i == len(value) - 1
        if not (isinstance(code, str) and len(code) == 1 and code.isascii() and code.isupper()):
            return None
        if not isinstance(low, int) or isinstance(low, bool) or low != expected_min:
            return None
        if high is None and not last:
            return None
        if high is not None and (not isinstance(high, int) or isinstance(high, bool) or high < low or high > 99):
            return None
        if not isinstance(name, str) or len(name) > 20:
            return None
        bands.append(Band(code, low, high, name))
        expected_min = (high or 0) + 1
    if len({b.code for b in bands}) != len(bands):
        return None
    return tuple(bands)


def store_bands(config) -> tuple[Band, ...]:
    """The store's bands (its config's, when valid), else the chain's defaults."""
    value = config.get(CONFIG_KEY) if isinstance(config, dict) else None
    return (parse_bands(value) if value is not None else None) or DEFAULT_BANDS


def band_for(bands: tuple[Band, ...], party_size: int) -> Band | None:
    """The band a party belongs to; None when it is larger than the last band allows."""
    return next((b for b in bands if b.fits(party_size)), None)


def band_by_code(bands: tuple[Band, ...], code: str) -> Band | None:
    return next((b for b in bands if b.code == code), None)


def ticket_code(band: str, number: int) -> str:
    """A001, B012, C1000: the number guests hear called."""
    return f"{band}{number:03d}"
