"""Who may take a shift that changes hands (open-shift claims, swaps and drops).

Position and skills are checked here; every other rule (same store, active, no overlap, the weekly
cap, and whatever else manual edits check) is the manual-edit check in scheduling.services.edits,
reached through `rule_check` only, so renaming or widening that function is a one-line change."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils.translation import gettext as _

from scheduling.models import Schedule
from scheduling.services import edits
from stores.models import Employee
from zhilian.errors import DomainError, InvalidInput


def rule_check(
    *, schedule: Schedule, employee: Employee, start_time: dt.time, end_time: dt.time, exclude: Iterable = ()
) -> None:
    """The adapter to the manual-edit rule check (raises its DomainError)."""
    edits.shift_check(
        schedule=schedule, employee=employee, start_time=start_time, end_time=end_time, exclude=list(exclude)
    )


def broken_rules(
    *,
    schedule: Schedule,
    employee: Employee,
    position: str,
    required_skills: Iterable[str],
    start_time: dt.time,
    end_time: dt.time,
    exclude: Iterable = (),
) -> list[dict[str, str]]:
    """Every rule `employee` would break by working this shift ([] when they may), as {code, detail}."""
    rules = []
    if position and employee.position != position:
        rules.append(
            {
                "code": "wrong_position",
                "detail": _("%(name)s is not a %(position)s.")
                % {
                    "name": employee.name,
                    "position": Employee.Position(position).label if position in Employee.Position.values else position,
                },
            }
        )
    missing = sorted(set(required_skills or []) - set(employee.skills or []))
    if missing:
        rules.append(
            {
                "code": "missing_skills",
                "detail": _("%(name)s lacks the skills: %(skills)s.")
                % {"name": employee.name, "skills": ", ".join(missing)},
            }
        )
    try:
        rule_check(schedule=schedule, employee=employee, start_time=start_time, end_time=end_time, exclude=exclude)
    except InvalidInput as exc:
        rules.append({"code": exc.code, "detail": " ".join(str(m) for msgs in exc.errors.values() for m in msgs)})
    except DomainError as exc:
        rules.append({"code": exc.code, "detail": exc.message})
    return rules


def require_eligible(**kwargs) -> None:
    """Raise 409 `not_eligible` listing every broken rule, unless the employee may take the shift."""
    rules = broken_rules(**kwargs)
    if rules:
        raise DomainError(" ".join(r["detail"] for r in rules), code="not_eligible", rules=rules)
