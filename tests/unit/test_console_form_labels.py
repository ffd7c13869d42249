"""Every field and every choice of every declared case action has a Chinese label and an
English one in the console's forms — never the raw code (issue 13, item 7)."""

from __future__ import annotations

import marshmallow as ma

from yimen.platform.cases.registry import SPECS
from yimen.platform.cases.web import console_forms as forms


def _codes(f: ma.fields.Field) -> tuple[str, ...]:
    field = f.inner if isinstance(f, ma.fields.List) else f
    for validator in field.validators:
        if isinstance(validator, ma.validate.OneOf):
            return tuple(validator.choices)
    return ()


def test_every_declared_choice_has_a_chinese_and_an_english_label():
    missing = []
    for name, spec in SPECS.items():
        shown = {i.name: i for i in forms.inputs(name)}
        for field, f in (spec.body or {}).items():
            codes = _codes(f)
            if not codes or field not in shown:
                continue
            labels = dict(shown[field].choices)
            for code in codes:
                zh, en = labels.get(code, (code, code))
                if code in (zh, en) or not zh.strip() or not en.strip():
                    missing.append(f"{name}.{field}={code}")
    assert missing == []


def test_every_field_of_every_form_has_a_label_not_its_name():
    raw = [
        f"{name}.{item.name}"
        for name in SPECS
        for item in forms.inputs(name)
        if item.name in item.label or not all(part.strip() for part in item.label)
    ]
    assert raw == []


def test_the_evidence_form_takes_the_file_and_never_asks_for_its_hash():
    inputs = {i.name: i for i in forms.inputs("add_evidence")}
    assert inputs["file"].kind == "file" and "sha256" not in inputs
    assert forms.read(
        "add_evidence",
        __import__("werkzeug").datastructures.MultiDict(
            {"kind": "physical", "title": "扣押物品照片", "file": "x"}
        ),
    ) == {"kind": "physical", "title": "扣押物品照片"}
