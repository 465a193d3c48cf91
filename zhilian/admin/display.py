"""Money in yuan wherever the admin shows a cents field by itself: read-only fields on change
pages and inlines ("Discount: 1000" was cents), and changelist cells.

Django formats a model field's value in one function, `display_for_field`, which the read-only
field helper and the changelist import by name; `install()` (AdminConfig.ready) puts a version
in those places that formats `CentsField` with the project's formatter and leaves every other
field to Django.
"""

from __future__ import annotations

from django.contrib.admin import helpers, utils
from django.contrib.admin.templatetags import admin_list

from zhilian.formatting import format_yuan

_django_display_for_field = utils.display_for_field


def display_for_field(value, field, empty_value_display, avoid_link=False):
    from zhilian.models import CentsField

    if isinstance(field, CentsField) and value is not None:
        return format_yuan(value)
    return _django_display_for_field(value, field, empty_value_display, avoid_link=avoid_link)


def install() -> None:
    for module in (utils, helpers, admin_list):
        module.display_for_field = display_for_field
