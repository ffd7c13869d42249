"""One declaration per case action (procedure/declaring.py), beside its handler: every
table the engine, the API and the console read is derived from the declarations, and a
declaration that lacks something is named before anything runs."""

from __future__ import annotations

import dataclasses
import subprocess
import sys

import marshmallow as ma
import pytest

from yimen.platform.cases import registry as actions
from yimen.platform.cases.documents import issuing as documents
from yimen.platform.cases.documents.issuing import Kind
from yimen.platform.cases.procedure.declaring import HEAD, ActionSpec, declare
from yimen.platform.cases.web import console_forms


def _handler(ctx):
    """Does nothing."""
    return {}, []


COMPLETE = declare(
    "note_something",
    "记录某事",
    "Note something",
    stages=("investigation",),
    statuses=("open",),
    body={"note": ma.fields.String(required=True)},
    role=HEAD,
    documents=("询问笔录",),
    form={"note": ("说明", "Note")},
)(_handler)


def test_every_declared_action_is_complete():
    assert actions.SPECS, "no action declared"
    for name, spec in actions.SPECS.items():
        assert actions.incomplete(spec) == [], name


def test_a_complete_declaration_passes_and_stays_callable_as_its_handler():
    assert actions.incomplete(COMPLETE) == []
    assert COMPLETE(None) == ({}, []) and COMPLETE.doc == "Does nothing."
    assert COMPLETE.module == __name__


@pytest.mark.parametrize(
    "change, lack",
    [
        ({"label_zh": ""}, "label_zh"),
        ({"label_en": " "}, "label_en"),
        ({"stages": None}, "stages"),
        ({"stages": ("nowhere",)}, "stages: no such stage ['nowhere']"),
        ({"statuses": ()}, "statuses"),
        ({"statuses": ("pending",)}, "statuses: no such status ['pending']"),
        ({"handler": None}, "handler"),
        ({"body": None}, "body"),
        ({"body": {"note": str}}, "body: not a field ['note']"),
        ({"role": ("agency_head", "", "")}, "role"),
        ({"documents": ("没有的文书",)}, "documents: no such kind 没有的文书"),
        ({"form": {"missing": ("缺", "Missing")}}, "form: no such field ['missing']"),
        ({"choices": {"missing": "evidence"}}, "form: no such field ['missing']"),
    ],
)
def test_an_incomplete_declaration_is_named(change, lack):
    assert lack in actions.incomplete(dataclasses.replace(COMPLETE, **change))


def test_a_document_kind_without_a_template_is_named(monkeypatch):
    monkeypatch.setitem(documents.KINDS, "无模板的文书", Kind("no_such_template.html"))
    spec = dataclasses.replace(COMPLETE, documents=("无模板的文书",))
    assert actions.incomplete(spec) == ["documents: no template for 无模板的文书"]


def test_the_old_tables_are_views_of_the_declarations():
    names = list(actions.SPECS)
    for table in (
        actions.TABLE,
        actions.WHERE,
        actions.ACTION_NAMES,
        actions.ACTION_SCHEMAS,
        actions.HANDLERS,
        actions.DOCUMENTS,
    ):
        assert list(table) == names
    for name, spec in actions.SPECS.items():
        assert actions.WHERE[name] == (spec.stages, spec.statuses)
        assert actions.ACTION_NAMES[name] == spec.label_zh
        assert set(actions.ACTION_SCHEMAS[name]().fields) == {"version", "client_id", *spec.body}
        assert actions.ROLE.get(name) == spec.role
        for field, label in spec.form.items():
            assert console_forms.PER_ACTION[(name, field)] == label
        for field, choices in spec.choices.items():
            assert console_forms.CHOICE_SET[(name, field)] == choices


def test_each_action_is_declared_once_in_the_module_of_its_handler():
    for module in actions.MODULES:
        for spec in actions.declared_in(module):
            assert spec.handler is not None and spec.handler.__module__ == module.__name__
            assert actions.SPECS[spec.name] is spec
    assert sum(len(actions.declared_in(m)) for m in actions.MODULES) == len(actions.SPECS)


def test_the_pure_rules_import_no_handler_and_nothing_registers_on_import():
    code = (
        "import sys\n"
        "import yimen.platform.cases.procedure.rules, yimen.platform.cases.procedure.declaring\n"
        "loaded = [m for m in sys.modules if m.startswith('yimen.platform.cases.')]\n"
        "assert not any(m.endswith(('.general', '.actions', '.compulsory', '.simple')) "
        "for m in loaded), loaded\n"
        "assert 'sqlalchemy' not in sys.modules and 'flask' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_an_action_declared_outside_the_registry_is_no_action():
    assert "note_something" not in actions.SPECS
    assert isinstance(COMPLETE, ActionSpec)
