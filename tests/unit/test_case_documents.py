"""Documents without a database: which kinds a stage needs, amounts in capital numerals,
and a clear refusal for a kind with no template."""

from __future__ import annotations

import pytest

from yimen.platform.cases.documents import issuing as documents
from yimen.platform.cases.documents import numbering
from yimen.platform.cases.documents.context import yuan_upper
from yimen.platform.kernel.errors import Invalid
from yimen.tenants.workflow.statutory import GENERAL, LIBRARY_V1, SIMPLE


def test_the_stage_of_the_pinned_definition_names_its_documents():
    assert documents.required_documents(GENERAL, "decision") == ["行政处罚决定书"]
    assert documents.required_documents(GENERAL, "hearing") == ["听证通知书", "听证笔录"]
    assert documents.required_documents(SIMPLE, "on_spot_decision") == ["当场处罚决定书"]
    added = {
        "stages": [
            {"id": "filing", "documents": [{"kind": "立案审批表"}, {"kind": "案件来源登记表"}]}
        ]
    }
    assert documents.required_documents(added, "filing") == ["立案审批表", "案件来源登记表"]


def test_every_statutory_document_of_the_general_and_simple_procedures_has_a_template():
    kinds = {
        d["kind"]
        for definition in LIBRARY_V1
        for stage in definition["stages"]
        for d in stage["documents"]
    }
    assert kinds <= set(documents.KINDS)


def test_a_kind_without_a_template_is_a_clear_error():
    with pytest.raises(documents.UnknownKind, match="案件来源登记表"):
        documents.render("案件来源登记表", {})
    with pytest.raises(Invalid) as refused:  # 422 over HTTP
        documents.issue(None, None, "案件来源登记表", {}, "someone")  # type: ignore[arg-type]
    assert refused.value.code == "document-kind-unknown" and "没有模板" in refused.value.zh


def test_a_decision_missing_the_party_address_is_not_issued():
    """处罚法 第五十九条: the party's name and address are mandatory contents."""
    context = {
        "party": {"name": "张三", "address": ""},
        "case": {"facts": "x"},
        "penalty_text": "警告",
        "penalty_basis": "y",
    }
    with pytest.raises(Invalid) as refused:
        documents.check_complete("行政处罚决定书", context)
    assert "当事人的地址" in refused.value.zh and "第五十九条" in refused.value.zh
    assert [f.field for f in refused.value.fields] == ["party.address"]


@pytest.mark.parametrize(
    ("fen", "text"),
    [
        (500000, "伍仟元整"),
        (1050000, "壹万零伍佰元整"),
        (20000, "贰佰元整"),
        (10000000, "壹拾万元整"),
        (100050, "壹仟元伍角整"),
        (123456789, "壹佰贰拾叁万肆仟伍佰陆拾柒元捌角玖分"),
        (100000001, "壹佰万元零壹分"),
    ],
)
def test_amounts_are_written_in_capital_numerals(fen, text):
    assert yuan_upper(fen) == text


def test_the_decision_word_is_not_doubled_when_the_directory_prefix_already_has_it():
    class Agency:
        doc_prefix, name = "玄综执罚", "玄武区综合行政执法局"

    assert numbering.format_number(Agency, "行政处罚决定书", 2026, 12) == "玄综执罚〔2026〕12号"
    assert numbering.format_number(Agency, "催告书", 2026, 3) == "玄综执催〔2026〕3号"
