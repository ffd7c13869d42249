"""Every Chinese message in the templates has its English translation."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_DIRS = [ROOT / "platform" / "web" / "templates"]
PO = ROOT / "platform" / "web" / "translations" / "en" / "LC_MESSAGES" / "messages.po"


def _msgids() -> set[str]:
    found = set()
    for folder in TEMPLATE_DIRS:
        for path in folder.rglob("*.html"):
            found |= set(re.findall(r'_\(\s*["\']([^"\']+)["\']\s*\)', path.read_text()))
    return found


def test_every_template_message_has_an_english_translation():
    with PO.open("rb") as f:
        catalog = read_po(f)
    translated = {m.id for m in catalog if m.id and m.string}
    missing = sorted(_msgids() - translated)
    assert missing == []


def test_the_catalog_has_no_duplicate_entries():
    ids = re.findall(r'^msgid "(.+)"$', PO.read_text(), re.M)
    assert len(ids) == len(set(ids))
