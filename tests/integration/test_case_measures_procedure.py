"""Compulsory measures and evidence preservation follow the law's procedure, with their
documents: one test per rule, each citing its article, driven through the API as in
test_case_rules_engine.py. The PDFs are read back and must say what the law requires
them to say. Today is Tuesday 24 November 2026 in Shanghai (the case_day fixture)."""

from __future__ import annotations

import pytest

from tests.integration import test_case_rules_engine as engine
from tests.integration.test_case_documents import _text as pdf_text
from tests.integration.test_case_lifecycle import PARTY, Case
from tests.integration.test_case_rules_engine import ON_SITE, deadline, filed, refused
from tests.support import drain_documents

desk = engine.desk  # the zhzf desk (officers, head, legal reviewer): a fixture
pytestmark = pytest.mark.usefixtures("case_day")

ABSENT = {  # the party notified but absent: a witness signs (第十八条第(四)项、第(九)项)
    **{k: v for k, v in ON_SITE.items() if k not in ("statement", "party_signature")},
    "party_present": False,
    "party_notified": True,
    "witness": "赵见证（社区网格员）",
}


def measures_case(client, desk) -> Case:
    case = filed(client, desk, measures_needed=True)
    assert case.json["stage"] == "compulsory_measures"
    return case


def _measure(case: Case) -> dict:
    return case.json["details"]["compulsory_measures"]["measures"][-1]


def documents(client, desk, case: Case, kind: str) -> list[dict]:
    items = client.get(f"/api/v1/cases/{case.id}/documents?page_size=100", headers=desk["officer"])
    return [d for d in items.json["items"] if d["kind"] == kind]


def pdf(client, desk, document: dict) -> str:
    drain_documents()  # the document worker, after the action committed
    r = client.get(document["pdf_url"], headers=desk["officer"])
    assert r.status_code == 200
    return pdf_text(r.data)


def last_pdf(client, desk, case: Case, kind: str) -> str:
    found = documents(client, desk, case, kind)
    assert found, f"no {kind} issued"
    return pdf(client, desk, found[-1])


def test_a_measure_records_the_party_told_heard_and_the_signed_on_site_record__行政强制法_第十八条(
    client, desk, cjk_fonts
):
    case = measures_case(client, desk)
    problem = case.do("impose_measure", who="head", expect=422, kind="seal", items=["烧烤炉 1 台"])
    assert problem["code"] == "measure-procedure" and "第十八条" in problem["detail"]
    fields = {e["field"]: e for e in problem["errors"]}
    assert {"identity_shown", "reason", "basis", "told", "party_notified", "witness"} <= set(fields)
    assert "第十八条第(九)项" in fields["witness"]["message"]
    assert "witness" in fields["witness"]["message_en"]
    heard = {k: v for k, v in ON_SITE.items() if k not in ("statement", "party_signature")}
    problem = case.do("impose_measure", who="head", expect=422, kind="seal", items=["烧烤炉 1 台"],
                      **heard)  # fmt: skip
    assert {e["field"] for e in problem["errors"]} == {"statement", "party_signature"}
    assert "compulsory_measures" not in case.json["details"]  # nothing was imposed

    case.do("impose_measure", who="head", kind="seal", items=["烧烤炉 1 台"], **ABSENT)
    assert _measure(case)["on_site"]["witness"] == "赵见证（社区网格员）"
    text = last_pdf(client, desk, case, "现场笔录")
    for said in ("出示了执法身份证件", "当事人未到场", "见证人（签名）：赵见证", "涉案物品可能被转移",
                 "《城镇燃气管理条例》第四十七条", "救济途径", "张伟", "烧烤炉1台"):  # fmt: skip
        assert said in text, said

    refusing = {**ON_SITE, "statement": "当事人称烧烤炉系借用", "party_signature": "refused"}
    case.do("impose_measure", who="head", kind="seize", items=["液化气罐 2 只"], **refusing)
    text = last_pdf(client, desk, case, "现场笔录")
    assert "当事人的陈述和申辩：当事人称烧烤炉系借用" in text
    assert "当事人拒绝签名，执法人员在笔录中予以注明" in text and "见证人" not in text


def test_the_decision_and_an_inventory_in_duplicate_are_handed_over__行政强制法_第二十四条(
    client, desk, cjk_fonts
):
    case = measures_case(client, desk)
    case.do("impose_measure", who="head", kind="seize", items=["液化气罐 2 只", "减压阀 1 个"],
            **ON_SITE)  # fmt: skip
    decision = documents(client, desk, case, "查封扣押决定书")[-1]
    text = pdf(client, desk, decision)
    for said in (PARTY["name"], PARTY["address"], "涉案物品可能被转移", "《城镇燃气管理条例》第四十七条",
                 "液化气罐2只", "减压阀1个", "期限为三十日", "2026年12月24日", "申请行政复议",
                 "提起行政诉讼", "（印章）"):  # fmt: skip
        assert said.replace(" ", "") in text, said
    assert decision["number"].endswith("号") and "封扣" in decision["number"]
    inventory = pdf(client, desk, documents(client, desk, case, "查封扣押清单")[-1])
    for said in (decision["number"], "液化气罐2只", "减压阀1个", "共2项", "一式二份",
                 "由当事人和本机关分别保存", "执法人员（签名）"):  # fmt: skip
        assert said in inventory, said


def test_an_extension_is_decided_in_writing_and_a_testing_period_notified__行政强制法_第二十五条(
    client, desk, cjk_fonts
):
    case = measures_case(client, desk)
    case.do("impose_measure", who="head", kind="seize", items=["液化气罐 2 只"],
            started_on="2026-11-01", **ON_SITE)  # fmt: skip
    measure = _measure(case)
    decision = documents(client, desk, case, "查封扣押决定书")[-1]["number"]
    case.do("record_testing", measure_id=measure["id"], started_on="2026-11-05",
            ended_on="2026-11-09", what="罐体安全性能")  # fmt: skip
    notice = documents(client, desk, case, "检测、检验、检疫、技术鉴定期间告知书")[-1]
    text = pdf(client, desk, notice)
    for said in (decision, "罐体安全性能", "自2026年11月5日起至2026年11月9日止", "不计入扣押期限",
                 "顺延至2026年12月6日", "费用由本机关承担", "第二十五条第三款"):  # fmt: skip
        assert said in text, said
    assert notice["number"] and "检告" in notice["number"]

    case.do("extend_measure", who="head", measure_id=measure["id"], days=30, reason="涉案数量较大")
    extension = documents(client, desk, case, "延长查封、扣押期限决定书")[-1]
    text = pdf(client, desk, extension)
    for said in (decision, "期限至2026年12月6日", "因涉案数量较大", "延长30日", "至2027年1月5日止",
                 "经本机关负责人批准", "第二十五条第一款、第二款", "申请行政复议", "（印章）"):  # fmt: skip
        assert said in text, said
    assert "延封扣" in extension["number"]


def test_a_release_is_decided_in_writing_and_the_items_returned__行政强制法_第二十七条_第二十八条(
    client, desk, cjk_fonts
):
    case = measures_case(client, desk)
    case.do("impose_measure", who="head", kind="seal", items=["烧烤炉 1 台", "燃气灶 1 台"],
            **ON_SITE)  # fmt: skip
    first = _measure(case)
    decision = documents(client, desk, case, "查封扣押决定书")[-1]["number"]
    case.do("lift_measure", measure_id=first["id"], outcome="lifted", ground="unrelated",
            returned=["燃气灶 1 台"])  # fmt: skip
    release = documents(client, desk, case, "解除查封、扣押决定书")[-1]
    text = pdf(client, desk, release)
    for said in (decision, "查封、扣押的场所、设施或者财物与违法行为无关", "第二十八条第一款第(二)项",
                 "解除查封", "燃气灶1台", "退还", "2026年11月24日"):  # fmt: skip
        assert said in text, said
    assert "烧烤炉" not in text.split("退还的财物")[1]  # only what was returned is listed
    assert "解封扣" in release["number"]

    case.do("impose_measure", who="head", kind="seize", items=["液化气罐 2 只"], **ON_SITE)
    case.do("lift_measure", measure_id=_measure(case)["id"], outcome="confiscated")
    assert len(documents(client, desk, case, "解除查封、扣押决定书")) == 1  # no release

    expired = measures_case(client, desk)
    expired.do("impose_measure", who="head", kind="seal", items=["摊位"], started_on="2026-10-01",
               **ON_SITE)  # fmt: skip
    expired.do("lift_measure", measure_id=_measure(expired)["id"], outcome="lifted")
    text = last_pdf(client, desk, expired, "解除查封、扣押决定书")
    assert "查封、扣押期限已经届满" in text and "第二十八条第一款第(四)项" in text
    assert expired.json["flagged"] is True


def test_an_emergency_measure_the_head_disagrees_with_is_released_in_writing__行政强制法_第十九条(
    client, desk, cjk_fonts
):
    case = measures_case(client, desk)
    case.do("impose_emergency_measure", kind="seize", items=["渣土车 1 辆"],
            executed_at="2026-11-24T09:00:00+08:00", grounds="当场发现，情况紧急", **ABSENT)  # fmt: skip
    assert documents(client, desk, case, "现场笔录")  # the emergency does not skip 第十八条
    case.do("approve_measure", who="head", measure_id=_measure(case)["id"], approved=False)
    text = last_pdf(client, desk, case, "解除查封、扣押决定书")
    assert "行政机关负责人认为不应当采取行政强制措施" in text and "第十九条" in text
    assert "渣土车1辆" in text


def investigating(client, desk) -> Case:
    case = Case(client, desk)
    case.do("approve_filing", who="head")
    assert case.json["stage"] == "investigation"
    return case


def test_evidence_preserved_is_decided_on_within_7_working_days__处罚法_第五十六条(
    client, desk, cjk_fonts
):
    case = investigating(client, desk)
    body = {"items": ["油烟直排管道照片原件 3 张", "营业台账 1 本"], "reason": "当事人正在拆除管道"}
    refused(case, "preserve_evidence", "role:agency_head", "", **body)
    case.do("preserve_evidence", who="head", kept_at="玄武区综合行政执法局证物室", **body)
    record = case.json["details"]["evidence_preservation"]["records"][-1]
    assert record["approved_by"] and record["preserved_on"] == "2026-11-24"
    # Tue 24 Nov + 7 working days = Thu 3 Dec (处罚法 第八十五条)
    assert deadline(case, "preservation") == "2026-12-03" == record["handle_by"]
    assert case.json["next_deadline"] == "2026-12-03"
    assert case.json["next_deadline_label"] == "先行登记保存后作出处理决定"
    notice = documents(client, desk, case, "先行登记保存通知书")[-1]
    text = pdf(client, desk, notice)
    for said in (PARTY["name"], "当事人正在拆除管道", "第五十六条", "经本机关负责人于2026年11月24日批准",
                 "营业台账1本", "玄武区综合行政执法局证物室", "不得损毁、销毁或者转移",
                 "七个工作日内（2026年12月3日前）", "（印章）"):  # fmt: skip
        assert said in text, said
    assert "先保" in notice["number"]

    case.do("add_evidence", kind="audio_visual", title="现场视频", sha256="b" * 64)
    case.do("add_record", kind="现场检查笔录", content="现场检查情况……")
    case.do("add_record", kind="询问笔录", content="当事人陈述……")
    refused(case, "advance", "preservation-undecided", "第五十六条")
    case.do("decide_preserved_evidence", who="head", outcome="seized", note="依法扣押营业台账")
    decided = case.json["details"]["evidence_preservation"]["records"][-1]
    assert (decided["outcome"], decided["late"]) == ("seized", False)
    assert deadline(case, "preservation") is None and case.json["flagged"] is False
    case.do("advance")  # seizing it is a compulsory measure: the case goes through that stage
    assert case.json["stage"] == "compulsory_measures"


def test_a_decision_on_preserved_evidence_after_7_working_days_is_flagged__处罚法_第五十六条(
    client, desk
):
    case = investigating(client, desk)
    refused(case, "preserve_evidence", "preservation-dates", "第五十六条", who="head", status=422,
            items=["账册"], reason="可能灭失", approved_on="2026-11-13", preserved_on="2026-11-12")  # fmt: skip
    case.do("preserve_evidence", who="head", items=["营业台账 1 本"], reason="当事人可能销毁",
            approved_on="2026-11-12", preserved_on="2026-11-12")  # fmt: skip
    assert deadline(case, "preservation") == "2026-11-23"  # Thu 12 Nov + 7 working days
    assert case.json["next_deadline"] == "2026-11-23"  # overdue today
    case.do("decide_preserved_evidence", who="head", outcome="returned")
    decided = case.json["details"]["evidence_preservation"]["records"][-1]
    assert decided["late"] is True and decided["decided_on"] == "2026-11-24"
    assert case.json["flagged"] is True  # supervision sees it
    assert deadline(case, "preservation") is None
    refused(case, "decide_preserved_evidence", "no-such-preservation", "", who="head",
            outcome="returned")  # fmt: skip
