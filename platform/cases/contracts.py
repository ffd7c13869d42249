"""What the case engine publishes to other features: the domain events it announces and
the values they carry (kernel/events.py).

A case made from a clue is followed by the one door, which tells the complainant (the
complainant is told to the end: issue 13, item 10). The engine announces, in the act's
transaction, when a case is filed (立案, 处罚法 第五十四条第二款), when the head declines
to file it (不予立案), when it is decided (处罚法 第五十七条), and when it is closed
(结案). The payload holds ids, dates and codes only — never the party's name, nor
anything an officer wrote: what the complainant may read is chosen by the subscriber
from the codes.
"""

from __future__ import annotations

CASE_FILED = "case.filed"
CASE_NOT_FILED = "case.not_filed"
CASE_DECIDED = "case.decided"
CASE_CLOSED = "case.closed"
TOPICS = (CASE_FILED, CASE_NOT_FILED, CASE_DECIDED, CASE_CLOSED)

# The action that announces each event; a decision is any of the ways of 第五十七条
# (and the simple procedure's decision on the spot, 第五十一条).
ANNOUNCED_BY: dict[str, str] = {
    "approve_filing": CASE_FILED,
    "decline_filing": CASE_NOT_FILED,
    "decide": CASE_DECIDED,
    "decide_no_penalty": CASE_DECIDED,
    "decide_transfer": CASE_DECIDED,
    "decide_on_spot": CASE_DECIDED,
    "approve_closure": CASE_CLOSED,
}

# The kind of decision (`outcome` of a case.decided event): the four ways of
# 处罚法 第五十七条第一款.
DECISION_KINDS = ("penalty", "no_penalty", "not_established", "transfer")

# Why the head declined to file (`ground` of a case.not_filed event, the `ground` the
# decline_filing action takes): 《市场监督管理行政处罚程序规定》第十九条 (what filing
# needs) and 第二十条 (when an agency may decline), 处罚法 第三十三条 and 第三十六条.
NOT_FILING_GROUNDS: dict[str, tuple[str, str, str]] = {
    "no_violation": (
        "经核查没有违法事实",
        "No violation found",
        "《市场监督管理行政处罚程序规定》第十九条第(一)项",
    ),
    "minor_corrected": (
        "违法行为轻微并及时改正，没有造成危害后果",
        "Minor, corrected at once, no harm",
        "《市场监督管理行政处罚程序规定》第二十条第(一)项、《中华人民共和国行政处罚法》第三十三条第一款",
    ),
    "first_minor_corrected": (
        "初次违法且危害后果轻微并及时改正",
        "A first offence, slight harm, corrected at once",
        "《市场监督管理行政处罚程序规定》第二十条第(二)项、《中华人民共和国行政处罚法》第三十三条第一款",
    ),
    "no_fault": (
        "当事人有证据足以证明没有主观过错",
        "The party proved it was not at fault",
        "《市场监督管理行政处罚程序规定》第二十条第(三)项、《中华人民共和国行政处罚法》第三十三条第二款",
    ),
    "not_our_jurisdiction": (
        "不属于本部门管辖",
        "Not this agency's jurisdiction",
        "《市场监督管理行政处罚程序规定》第十九条第(三)项",
    ),
    "time_barred": (
        "超过给予行政处罚的法定期限",
        "Past the limitation period",
        "《中华人民共和国行政处罚法》第三十六条",
    ),
    "other": (
        "依法可以不予立案的其他情形",
        "Other grounds the law allows",
        "《市场监督管理行政处罚程序规定》第二十条第(四)项",
    ),
}
