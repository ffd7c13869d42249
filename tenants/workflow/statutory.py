"""The statutory floor of each procedure, as data with its articles, and version 1 of
the platform library built on it.

A stage marked statutory cannot be removed; its statutory documents and approvals
cannot be dropped; a deadline that protects the party (`binds: party`) cannot be
shortened and one that binds the agency (`binds: agency`) cannot be lengthened.
"""

from __future__ import annotations

from typing import Any

PZ = "《行政处罚法》"
QZ = "《行政强制法》"


def stage(id, name, name_en, article, documents=(), approvals=(), statutory=True, condition=None):
    return {
        "id": id,
        "name": name,
        "name_en": name_en,
        "article": article,
        "statutory": statutory,
        "documents": [{"kind": d, "statutory": statutory} for d in documents],
        "approvals": [{"role": r, "statutory": statutory} for r in approvals],
        "condition": condition,
    }


def deadline(id, name, count, unit, start, binds, article, roll_forward=True):
    return {
        "id": id,
        "name": name,
        "count": count,
        "unit": unit,
        "start": start,
        "binds": binds,
        "roll_forward": roll_forward,
        "article": article,
        "statutory": True,
    }


GENERAL = {
    "kind": "general",
    "name": "一般程序",
    "stages": [
        stage("filing", "立案", "Filing", f"{PZ}第五十四条", ["立案审批表"], ["agency_head"]),
        stage(
            "investigation",
            "调查取证",
            "Investigation and evidence",
            f"{PZ}第四十二条、第五十五条",
            ["现场检查笔录", "询问笔录"],
        ),
        stage(
            "compulsory_measures",
            "行政强制措施",
            "Compulsory measures",
            f"{QZ}第十八条",
            ["查封扣押决定书"],
            ["agency_head"],
            condition="measures_needed",
        ),
        stage(
            "correction_order",
            "责令改正",
            "Order to correct",
            f"{PZ}第二十八条",
            ["责令改正通知书"],
        ),
        stage(
            "prior_notice",
            "事先告知",
            "Prior notice of the intended penalty",
            f"{PZ}第四十四条",
            ["行政处罚事先告知书"],
        ),
        stage(
            "statement",
            "陈述申辩与复核",
            "Statement, defence and re-examination",
            f"{PZ}第四十五条",
        ),
        stage(
            "hearing",
            "听证",
            "Hearing",
            f"{PZ}第六十三条、第六十四条",
            ["听证通知书", "听证笔录"],
            condition="hearing_requested",
        ),
        stage(
            "legal_review",
            "法制审核",
            "Legal review",
            f"{PZ}第五十八条",
            ["法制审核意见书"],
            ["legal_reviewer"],
            condition="major_decision",
        ),
        stage(
            "collective_discussion",
            "集体讨论",
            "Collective discussion",
            f"{PZ}第五十七条第二款",
            ["集体讨论记录"],
            condition="complex_or_serious",
        ),
        stage(
            "decision",
            "作出决定",
            "Decision",
            f"{PZ}第五十七条、第五十九条",
            ["行政处罚决定书"],
            ["agency_head"],
        ),
        stage("service", "送达", "Service", f"{PZ}第六十一条", ["送达回证"]),
        stage(
            "execution",
            "执行",
            "Execution",
            f"{PZ}第六十六条、第七十二条",
            ["催告书", "强制执行申请书"],
        ),
        stage("closure", "结案", "Closure", f"{PZ}第四十七条", ["结案审批表"], ["agency_head"]),
        stage("archive", "归档", "Archive", f"{PZ}第四十七条"),
    ],
    "deadlines": [
        deadline(
            "hearing_request",
            "听证申请期限",
            5,
            "working_day",
            "prior_notice_served",
            "party",
            f"{PZ}第六十四条第(一)项、第八十五条",
        ),
        deadline(
            "hearing_notice",
            "听证通知提前",
            7,
            "working_day",
            "hearing_date",
            "party",
            f"{PZ}第六十四条第(二)项",
            roll_forward=False,
        ),
        deadline(
            "decision",
            "作出处罚决定",
            90,
            "calendar_day",
            "filed",
            "agency",
            f"{PZ}第六十条",
            roll_forward=False,
        ),
        deadline(
            "service",
            "决定书送达",
            7,
            "working_day",
            "decided",
            "agency",
            f"{PZ}第六十一条",
            roll_forward=False,
        ),
        deadline(
            "payment", "缴纳罚款", 15, "calendar_day", "decision_served", "party", f"{PZ}第六十七条"
        ),
    ],
}

SIMPLE = {
    "kind": "simple",
    "name": "简易程序 (当场处罚)",
    "limits": {
        "individual_fine_max": 200,
        "organisation_fine_max": 3000,
        "article": f"{PZ}第五十一条",
    },
    "stages": [
        stage(
            "on_spot_decision",
            "当场作出决定",
            "On-the-spot decision",
            f"{PZ}第五十一条、第五十二条",
            ["当场处罚决定书"],
        ),
        stage("service", "当场交付", "Handed over on the spot", f"{PZ}第五十二条"),
        stage("filing_record", "报所属行政机关备案", "Filed with the agency", f"{PZ}第五十二条"),
    ],
    "deadlines": [
        deadline(
            "hand_in_fine",
            "当场收缴罚款交至行政机关",
            2,
            "working_day",
            "collected",
            "agency",
            f"{PZ}第七十一条",
            roll_forward=False,
        ),
    ],
}

COMPULSORY_MEASURES = {
    "kind": "compulsory_measures",
    "name": "行政强制措施",
    "stages": [
        stage(
            "approval",
            "报行政机关负责人批准",
            "Head's approval",
            f"{QZ}第十八条第(一)项",
            approvals=["agency_head"],
        ),
        stage(
            "on_site",
            "现场实施并告知",
            "On site: identity shown, party told",
            f"{QZ}第十八条",
            ["现场笔录"],
        ),
        stage(
            "decision_notice",
            "查封扣押决定书及清单",
            "Decision and inventory",
            f"{QZ}第二十四条",
            ["查封扣押决定书", "查封扣押清单"],
        ),
        stage(
            "handling",
            "处理 (解除、没收或移送)",
            "Release, confiscation or transfer",
            f"{QZ}第二十七条、第二十八条",
        ),
    ],
    "deadlines": [
        deadline(
            "seizure",
            "查封扣押期限",
            30,
            "calendar_day",
            "seized",
            "agency",
            f"{QZ}第二十五条",
            roll_forward=False,
        ),
    ],
}

COMPULSORY_EXECUTION = {
    "kind": "compulsory_execution",
    "name": "行政强制执行",
    "stages": [
        stage("demand", "催告", "Written demand", f"{QZ}第三十五条", ["催告书"]),
        stage("statement", "陈述申辩", "Statement and defence", f"{QZ}第三十六条"),
        stage(
            "execution_decision",
            "强制执行决定",
            "Execution decision",
            f"{QZ}第三十七条",
            ["强制执行决定书"],
            ["agency_head"],
        ),
        stage("service", "送达", "Service", f"{QZ}第三十八条", ["送达回证"]),
    ],
    "deadlines": [
        deadline(
            "court_application_wait",
            "催告书送达后申请法院执行的等待期",
            10,
            "working_day",
            "demand_served",
            "party",
            f"{QZ}第五十四条、第六十九条",
        ),
    ],
}

LIBRARY_V1: tuple[dict[str, Any], ...] = (
    GENERAL,
    SIMPLE,
    COMPULSORY_MEASURES,
    COMPULSORY_EXECUTION,
)
KINDS = tuple(d["kind"] for d in LIBRARY_V1)
