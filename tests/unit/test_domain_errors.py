"""The kernel's domain errors reach a caller as problem+json with the same code, both
languages and one entry per field — whatever raised them (a view, a worker, a handler)."""

from __future__ import annotations

from yimen.platform.api.problems import problem_of
from yimen.platform.kernel import errors


def test_each_kind_of_domain_error_has_its_own_status():
    assert problem_of(errors.not_found("案件不存在。", "Case not found.")).status == 404
    assert problem_of(errors.Forbidden("role-not-grantable", "不可授予", "no")).status == 403
    assert problem_of(errors.Conflict("stale", "已被修改", "changed")).status == 409
    assert problem_of(errors.Unavailable("sms-down", "短信不可用", "down")).status == 503


def test_an_invalid_field_says_where_in_both_languages():
    problem = problem_of(errors.invalid("decided_on", "不能晚于今天。", "Cannot be after today."))
    assert problem.status == 422
    assert [(e.field, e.message, e.message_en) for e in problem.errors] == [
        ("decided_on", "不能晚于今天。", "Cannot be after today.")
    ]


def test_a_refusal_names_its_rule_and_article():
    refused = errors.Refused(
        "hearing-notice-too-late",
        "听证通知应在听证七日前送达",
        "The hearing notice must be served seven days before",
        article="《行政处罚法》第六十四条",
    )
    problem = problem_of(refused)
    assert problem.status == 409
    assert problem.code == "hearing-notice-too-late"
    assert problem.detail.endswith("(《行政处罚法》第六十四条)")
    assert problem.extra == {
        "rule": "hearing-notice-too-late",
        "article": "《行政处罚法》第六十四条",
    }
    refused.on_input = True
    assert problem_of(refused).status == 422


def test_an_upload_past_its_limit_is_413_with_its_own_code():
    problem = problem_of(
        errors.TooLarge("evidence-too-large", "证据文件超过2 MB 的上限，未保存。", "Too large.")
    )
    assert (problem.status, problem.code) == (413, "evidence-too-large")
    assert problem.detail == "证据文件超过2 MB 的上限，未保存。"


def test_the_extra_members_of_a_domain_error_reach_the_caller():
    """What a client branches on beside the code (the offline record's id, the rule and
    article of 行政强制法 第十八条 on a field error) is carried over unchanged."""
    reused = errors.Conflict(
        "client-id-reused", "已同步", "synced", extra={"client_id": "app-1", "event_id": "e1"}
    )
    assert problem_of(reused).extra == {"client_id": "app-1", "event_id": "e1"}
    on_site = errors.Invalid(
        "measure-procedure",
        "尚缺：出示执法身份证件。",
        "Required: show the officers' identity documents.",
        fields=[errors.FieldProblem("identity_shown", "须出示。", "Required.")],
        extra={"rule": "measure-procedure", "article": "《行政强制法》第十八条"},
    )
    problem = problem_of(on_site)
    assert (problem.status, problem.detail) == (422, "尚缺：出示执法身份证件。")
    assert problem.extra == {"rule": "measure-procedure", "article": "《行政强制法》第十八条"}
    assert [e.field for e in problem.errors] == ["identity_shown"]
