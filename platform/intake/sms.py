"""The complainant's text messages (Chinese), by template code.

Carriers' SMS platforms send only registered templates: the platform passes a template
code and its parameters, the gateway fills them in. These texts are what gets registered
with the gateway (the simulator is given them at start-up), and `render` shows what the
complainant reads. No personal data goes into a parameter, only the receipt code, the
agency's name and the outcome.
"""

from __future__ import annotations

import string

SIGNATURE = "【一门执法】"

TEMPLATES: dict[str, str] = {
    "SMS_CLUE_RECEIVED": "您的投诉举报已收到，回执码${code}，已交${agency}办理，可凭回执码查询进度。",
    "SMS_CLUE_ACCEPTED": "您的投诉举报(回执码${code})已由${agency}受理。",
    "SMS_CLUE_TRANSFERRED": "您的投诉举报(回执码${code})不属原部门职责，已移送${agency}办理。",
    "SMS_CLUE_ARBITRATION": "您的投诉举报(回执码${code})涉及管辖争议，已提交区司法局(法制办)协调指定承办部门。",
    "SMS_CLUE_DESIGNATED": "您的投诉举报(回执码${code})已由区司法局(法制办)指定${agency}承办。",
    "SMS_CLUE_CASE_FILED": "您的投诉举报(回执码${code})经${agency}核查，已立案查处。",
    "SMS_CLUE_NOT_FILED": "您的投诉举报(回执码${code})经${agency}核查：${outcome}，不予立案。如有异议，可在${days}日内凭回执码反馈。",
    "SMS_CLUE_CASE_NOT_FILED": "您的投诉举报(回执码${code})经${agency}审查：${outcome}，依法不予立案。可凭回执码查询进度。",
    "SMS_CLUE_CASE_DECIDED": "您的投诉举报(回执码${code})所涉案件已由${agency}作出处理决定：${outcome}。",
    "SMS_CLUE_CASE_CLOSED": "您的投诉举报(回执码${code})所涉案件已由${agency}办结，可凭回执码查询结果并评价。",
    "SMS_CLUE_CLOSED": "您的投诉举报(回执码${code})已由${agency}办结：${outcome}。如问题仍未解决，可在${days}日内凭回执码反馈。",
    "SMS_CLUE_MERGED": "您的投诉举报(回执码${code})与同一事项的投诉合并办理，进度可凭回执码查询。",
    "SMS_CLUE_REOPENED": "您反馈的问题(回执码${code})已重新交${agency}办理。",
    "SMS_GROUP_MOVED": "您关注的投诉事项(回执码${code})有新进展：${step}。",
}


def render(template: str, params: dict) -> str:
    """The text as the complainant reads it (the gateway does the same)."""
    return SIGNATURE + string.Template(TEMPLATES[template]).safe_substitute(params)


def registered_templates() -> dict[str, str]:
    """The texts as registered with the SMS gateway (signature included)."""
    return {code: SIGNATURE + text for code, text in TEMPLATES.items()}
