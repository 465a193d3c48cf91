"""The Chinese catalogue is complete: no entry left empty or fuzzy (a fuzzy entry is not compiled,
so its English shows in the Chinese UI), and the compiled catalogue is the one in use."""

from __future__ import annotations

import re
from pathlib import Path

from django.utils import translation

PO = Path(__file__).resolve().parents[2] / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def entries() -> list[dict]:
    """(msgid, msgstr values, flags) of every entry but the header, continuation lines joined."""
    found = []
    for block in PO.read_text(encoding="utf-8").split("\n\n"):
        fields: dict[str, list[str]] = {}
        current = None
        flags: set[str] = set()
        for line in block.splitlines():
            if line.startswith("#,"):
                flags |= {flag.strip() for flag in line[2:].split(",")}
            elif match := re.match(r'^(msgid|msgid_plural|msgstr(?:\[\d+\])?) "(.*)"$', line):
                current = match.group(1)
                fields[current] = [match.group(2)]
            elif line.startswith('"') and current:
                fields[current].append(line[1:-1])
        if "msgid" in fields and "".join(fields["msgid"]):
            strings = ["".join(v) for k, v in fields.items() if k.startswith("msgstr")]
            found.append({"msgid": "".join(fields["msgid"]), "msgstr": strings, "flags": flags})
    return found


def test_every_entry_is_translated_and_none_is_fuzzy():
    catalogue = entries()
    assert len(catalogue) > 500
    assert [e["msgid"] for e in catalogue if "fuzzy" in e["flags"]] == []
    assert [e["msgid"] for e in catalogue if not all(e["msgstr"])] == []


def test_the_compiled_catalogue_is_the_one_in_use():
    with translation.override("zh-hans"):
        assert translation.gettext("Temporarily unavailable") == "暂时无法使用"
        assert translation.gettext("display order") == "显示顺序"
        assert translation.gettext("Enter a date as YYYY-MM-DD.") == "请按 YYYY-MM-DD 格式输入日期。"
