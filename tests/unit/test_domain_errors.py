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
