"""marshmallow's messages reach the caller in Chinese and English."""

from __future__ import annotations

from yimen.platform.api.problems import Bilingual, field_errors, translate


def test_known_messages_are_translated():
    assert translate("Missing data for required field.") == (
        "此字段为必填项。",
        "Missing data for required field.",
    )
    assert translate("Longer than maximum length 40.") == (
        "长度不能超过 40。",
        "Longer than maximum length 40.",
    )


def test_bilingual_messages_keep_their_own_english():
    assert translate(Bilingual("校验位错误", "Wrong check character")) == (
        "校验位错误",
        "Wrong check character",
    )


def test_nested_errors_become_one_entry_per_field_path():
    errors = field_errors({"officers": {0: {"name": ["Missing data for required field."]}}})
    assert [(e.field, e.message) for e in errors] == [("officers.0.name", "此字段为必填项。")]
