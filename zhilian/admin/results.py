"""Changelist rows rendered from a plan made once per page, with Django's HTML.

Django's `items_for_result` decides everything cell by cell: for every row and column it looks
the column up again (`lookup_field`: a `get_field` miss, `hasattr` on the admin), asks the admin
for its empty value, builds the cell's classes, formats through `display_for_field` (which reads
the locale's formats again and translates the choice labels again) and escapes through
`format_html`; the row's link is merged with the preserved filters once more per row. On the
manager's 50-row order page that was about 40% of the request's CPU.

`RowRenderer` takes those decisions once per page: which lookup, which formatter, the classes,
the empty value, the choice labels (translated and escaped), the active language's date format,
the link template. A cell then only reads its value and formats it. Whatever the plan does not
know (an unusual field type, an attribute of the model looked up by name, a value of an
unexpected type) goes through Django's own per-cell functions, so the output is Django's byte for
byte; `zhilian/tests/test_admin_results.py` compares both renderings.

An admin can offer a column's values computed with work done once per page: its
`changelist_values(name)` returns a function of the row (ScopedModelAdmin: the row checkbox).

Use it through `{% fast_result_list cl %}` (zhilian/templatetags/zhilian_admin.py), which the
changelist template `admin/zhilian/change_list.html` puts in place of `{% result_list cl %}`.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from html import escape  # Django's escape() is this on str(), behind a lazy-string wrapper
from typing import Any

from django.contrib.admin.templatetags.admin_list import _boolean_icon, _coerce_field_name
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import (
    FieldIsAForeignKeyColumnName,
    _get_non_gfk_field,
    display_for_value,
    lookup_field,
)
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.db import models
from django.urls import NoReverseMatch
from django.utils import timezone
from django.utils.dateformat import DateFormat, re_escaped, re_formatchars
from django.utils.formats import get_format
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from zhilian.admin.display import display_for_field

# A column's value (the row itself for per-row lookups) -> the cell's escaped HTML and its class
# attribute, apart because Django adds "nowrap" to some cells by the type of their value.
Display = Callable[[Any], tuple[str, str]]
# A row's object -> the whole cell (<td ...>...</td>), escaped.
Cell = Callable[[Any], str]

_DATE_OR_TIME = (datetime.date, datetime.time)
# Plain text fields: a str value is shown as itself (Django: display_for_field -> display_for_value
# -> str(value)), escaped. Subclasses with links (URLField, FileField...) are not in this set.
_TEXT_FIELDS = (models.CharField, models.TextField, models.SlugField, models.EmailField)


class RowRenderer:
    """`items_for_result(cl, result, None)`, planned once for the changelist's page.

    `cells(result)` is the list Django's generator yields (as plain escaped strings), `row(result)`
    their concatenation. Not for list_editable changelists (rows with forms): Django renders those.
    """

    def __init__(self, cl):
        self.cl = cl
        # Django asks the admin for this per cell; it cannot change within a page.
        self.empty = cl.model_admin.get_empty_value_display()
        self.link = _row_link(cl)
        self.columns: list[Cell] = []
        first = True
        for index, name in enumerate(cl.list_display):
            link = _link_in_col(first, name, cl)
            tag = "th" if link and first else "td"
            if link:
                first = False
            self.columns.append(self._column(index, name, link=link, tag=tag))

    def cells(self, result) -> list[str]:
        return [column(result) for column in self.columns]

    def row(self, result) -> SafeString:
        return mark_safe("".join([column(result) for column in self.columns]))

    # --- one column ----------------------------------------------------------------------------

    def _column(self, index: int, name, *, link: bool, tag: str) -> Cell:
        cl = self.cl
        classes = f"field-{_coerce_field_name(name, index)}"
        # What lookup_field finds, decided once (it depends on the column, the model and the admin,
        # not on the row), except for attributes of the model looked up by name: those keep
        # Django's per-row lookup.
        try:
            field = _get_non_gfk_field(cl.lookup_opts, name)
        except (FieldDoesNotExist, FieldIsAForeignKeyColumnName):
            field = None
        if field is not None:
            attr = None

            def value_of(obj, name=name):
                return getattr(obj, name)

        elif callable(name):
            attr = value_of = name
        elif hasattr(cl.model_admin, name) and name != "__str__":
            attr = value_of = getattr(cl.model_admin, name)
            # The admin may offer the same values computed with work done once per page.
            page_values = getattr(cl.model_admin, "changelist_values", None)
            value_of = (page_values(name) if page_values is not None else None) or value_of
        else:
            return self._wrap(self._per_row_lookup(name, classes, link), link=link, tag=tag)

        if field is None or field.auto_created:
            display = self._value_display(name, classes, attr)
        else:
            display = self._field_display(field, classes, link)
        empty_html = conditional_escape(self.empty)
        plain_classes = f' class="{classes}"'

        def cell_display(obj) -> tuple[str, str]:
            try:
                value = value_of(obj)
            except ObjectDoesNotExist:
                return empty_html, plain_classes
            return display(value)

        return self._wrap(cell_display, link=link, tag=tag)

    def _value_display(self, name, classes: str, attr) -> Display:
        """A value that is no model field's (a callable, an admin method, an auto-created field):
        Django's display_for_value with the attribute's own empty value and boolean flag."""
        empty = getattr(attr, "empty_value_display", self.empty)
        boolean = getattr(attr, "boolean", False)
        if isinstance(attr, property) and hasattr(attr, "fget"):
            boolean = getattr(attr.fget, "boolean", False)
        base = "action-checkbox" if name == "action_checkbox" else classes
        plain, nowrap = f' class="{base}"', f' class="{base} nowrap"'

        def display(value) -> tuple[str, str]:
            if isinstance(value, str) and value.strip() == "":
                value = ""
            html = conditional_escape(display_for_value(value, empty, boolean))
            return html, nowrap if isinstance(value, _DATE_OR_TIME) else plain

        return display

    def _field_display(self, field, classes: str, link: bool) -> Display:
        """A model field's value: display_for_field, its branch chosen once for the column."""
        empty = self.empty
        empty_html = conditional_escape(empty)
        if isinstance(field, (models.DateField, models.TimeField, models.ForeignKey)):
            classes += " nowrap"
        css = f' class="{classes}"'

        def slow(value) -> tuple[str, str]:
            return conditional_escape(display_for_field(value, field, empty, avoid_link=link)), css

        if isinstance(field.remote_field, models.ManyToOneRel):
            # The related object itself (select_related), shown as str(obj). A page's rows come
            # from one query, so objects of the same primary key are the same row: each is
            # rendered once (a waiter's str() translates their position, a store's is long).
            shown: dict[Any, str] = {}

            def related(value) -> tuple[str, str]:
                if value is None:
                    return empty_html, css
                key = (type(value), getattr(value, "pk", None))
                html = shown.get(key) if key[1] is not None else None
                if html is None:
                    html = conditional_escape(value)
                    if key[1] is not None:
                        shown[key] = html
                return html, css

            return related

        if getattr(field, "flatchoices", None):
            # The labels translated and escaped once per page (Django: per cell).
            labels = {key: conditional_escape(label) for key, label in dict(field.flatchoices).items()}

            def choice(value) -> tuple[str, str]:
                if isinstance(value, str) and value.strip() == "":
                    value = ""
                try:
                    return labels.get(value, empty_html), css
                except TypeError:  # unhashable: Django's own fallback
                    return slow(value)

            return choice

        if isinstance(field, models.BooleanField):
            icons = {value: conditional_escape(_boolean_icon(value)) for value in (True, False, None)}

            def boolean(value) -> tuple[str, str]:
                if value is None or type(value) is bool:
                    return icons[value], css
                return slow(value)

            return boolean

        if isinstance(field, models.DateTimeField):
            # The active language's format, as formats.localize reads it.
            formatted = _DateTimeFormat(get_format("DATETIME_FORMAT"))

            def moment(value) -> tuple[str, str]:
                if isinstance(value, datetime.datetime):
                    return escape(formatted(timezone.template_localtime(value))), css
                if isinstance(value, str) and value.strip() == "":
                    value = ""
                return slow(value)

            return moment

        if type(field) in _TEXT_FIELDS:

            def text(value) -> tuple[str, str]:
                if type(value) is str:
                    return (empty_html if value.strip() == "" else escape(value)), css
                return slow(value)

            return text

        def other(value) -> tuple[str, str]:
            if isinstance(value, str) and value.strip() == "":
                value = ""
            return slow(value)

        return other

    def _per_row_lookup(self, name, classes: str, link: bool) -> Display:
        """A column Django resolves row by row (a model attribute or related path by name):
        lookup_field per row, then the same display as Django's."""
        cl = self.cl
        empty_html = conditional_escape(self.empty)
        plain = f' class="{classes}"'

        def display(obj) -> tuple[str, str]:
            try:
                field, attr, value = lookup_field(name, obj, cl.model_admin)
            except ObjectDoesNotExist:
                return empty_html, plain
            if field is None or field.auto_created:
                return self._value_display(name, classes, attr)(value)
            return self._field_display(field, classes, link)(value)

        return display

    # --- the cell around the value ---------------------------------------------------------------

    def _wrap(self, display: Display, *, link: bool, tag: str) -> Cell:
        if not link:

            def cell(obj) -> str:
                html, css = display(obj)
                return f"<td{css}>{html}</td>"

            return cell

        row_link = self.link

        def linked_cell(obj) -> str:
            html, css = display(obj)
            anchor = row_link(obj)
            if anchor is not None:
                html = f"{anchor}{html}</a>"
            return f"<{tag}{css}>{html}</{tag}>"

        return linked_cell


# DateFormat's format characters that read only the date, and those that read only the hour and
# minute (the others read seconds, microseconds or the time zone).
_DATE_CHARS = frozenset("bdDEFjlLmMnNoStwWyYz")
_TIME_CHARS = frozenset("aAfgGhHiP")


class _DateTimeFormat:
    """`dateformat.format(value, fmt)` for the datetimes of one page: the format split once, and
    each character's text computed once per date (or per hour and minute) it reads. A day's page
    writes the same date fifty times, each time translating its month name, and "p.m.".
    """

    def __init__(self, fmt):
        # (literal, None) or (None, format character), as Formatter.format splits the format.
        self.pieces: list[tuple[str | None, str | None]] = []
        for i, piece in enumerate(re_formatchars.split(str(fmt))):
            if i % 2:
                self.pieces.append((None, piece))
            elif piece:
                self.pieces.append((re_escaped.sub(r"\1", piece), None))
        self.known: dict[tuple, str] = {}

    def __call__(self, value: datetime.datetime) -> str:
        found = None
        texts = []
        for literal, char in self.pieces:
            if char is None:
                texts.append(literal)
                continue
            if char in _DATE_CHARS:
                key = (char, value.year, value.month, value.day)
            elif char in _TIME_CHARS:
                key = (char, value.hour, value.minute)
            else:
                key = None
            text = self.known.get(key) if key is not None else None
            if text is None:
                if found is None:
                    found = DateFormat(value)
                text = str(getattr(found, char)())
                if key is not None:
                    self.known[key] = text
            texts.append(text)
        return "".join(texts)


def _link_in_col(is_first: bool, field_name, cl) -> bool:
    # items_for_result's own rule (a nested function there).
    if cl.list_display_links is None:
        return False
    if is_first and not cl.list_display_links:
        return True
    return field_name in cl.list_display_links


def _row_link(cl) -> Callable[[Any], str | None]:
    """A row's `<a href="..."...>` opening tag as items_for_result writes it, or None where the
    change view has no URL (NoReverseMatch: the cell shows the value without a link)."""
    attname = str(cl.to_field) if cl.to_field else cl.lookup_opts.pk.attname

    def popup(obj) -> str:
        if not cl.is_popup:
            return ""
        return f' data-popup-opener="{conditional_escape(obj.serializable_value(attname))}"'

    parts = getattr(cl, "row_link_parts", None)
    if parts is not None:
        # FastRowLinksChangeList: one URL for the page, the row's primary key put in its place.
        try:
            prefix, suffix = parts()
        except NoReverseMatch:
            return lambda obj: None
        # html escaping works character by character: the parts are escaped once.
        head, tail = '<a href="' + escape(prefix), escape(suffix) + '"'

        def template_link(obj) -> str:
            return f"{head}{escape(cl.row_pk(obj))}{tail}{popup(obj)}>"

        return template_link

    def django_link(obj) -> str | None:
        try:
            url = cl.url_for_result(obj)
        except NoReverseMatch:
            return None
        url = add_preserved_filters({"preserved_filters": cl.preserved_filters, "opts": cl.opts}, url)
        return f'<a href="{conditional_escape(url)}"{popup(obj)}>'

    return django_link
