"""Discretion API: the benchmark applied to recorded facts, and how a matter was punished
across the district (distribution and outliers, for supervision)."""

from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView
from flask_smorest import Blueprint

from yimen.platform.api.paging import PageArgs, page_list
from yimen.platform.api.problems import Bilingual, FieldError, Problem
from yimen.platform.cases.discretion import benchmark as discretion
from yimen.platform.cases.discretion import queries as discretion_queries
from yimen.platform.cases.discretion.terms import HARM, TIER_ORDER
from yimen.platform.kernel.db import db
from yimen.platform.kernel.permissions import requires
from yimen.tenants.powers.matters import get_matter

blp = Blueprint(
    "discretion", __name__, description="行政裁量权基准的适用 / Discretion benchmarks applied"
)


def _one_of(choices: list[str], zh: str):
    """OneOf that keeps its English (marshmallow's OneOf formats the message to a plain str)."""

    def check(value):
        if value is not None and value not in choices:
            raise ma.ValidationError(
                Bilingual(
                    f"{zh}应为以下取值之一：{'、'.join(choices)}。",
                    f"Must be one of: {', '.join(choices)}.",
                )
            )

    return check


class DiscretionFactsSchema(ma.Schema):
    circumstances = ma.fields.String(
        load_default=None,
        allow_none=True,
        validate=_one_of([*discretion.CIRCUMSTANCES, *TIER_ORDER], "违法情节"),
        metadata={
            "description": "情节: minor 轻微 / fairly_light 较轻 / ordinary 一般 / fairly_serious 较重 / serious 严重, or a tier id"
        },
    )
    illegal_gains_fen = ma.fields.Integer(
        load_default=0, validate=ma.validate.Range(min=0, max=10**14)
    )
    first_violation = ma.fields.Boolean(load_default=False)
    corrected = ma.fields.Boolean(load_default=False, metadata={"description": "及时改正"})
    harm = ma.fields.String(
        load_default=None, allow_none=True, validate=_one_of(list(HARM), "危害后果")
    )
    no_fault = ma.fields.Boolean(
        load_default=False, metadata={"description": "有证据足以证明没有主观过错"}
    )
    mitigating = ma.fields.List(
        ma.fields.String(validate=_one_of(list(discretion.MITIGATING), "从轻、减轻情节")),
        load_default=list,
        validate=ma.validate.Length(max=10),
    )
    aggravating = ma.fields.List(
        ma.fields.String(validate=_one_of(list(discretion.AGGRAVATING), "从重情节")),
        load_default=list,
        validate=ma.validate.Length(max=10),
    )


class AssessSchema(ma.Schema):
    matter_code = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=20))
    party_kind = ma.fields.String(
        required=True, validate=_one_of(list(discretion.PARTY_KINDS), "当事人类型")
    )
    facts = ma.fields.Nested(DiscretionFactsSchema, load_default=dict)
    proposed_fine_fen = ma.fields.Integer(
        load_default=None, allow_none=True, validate=ma.validate.Range(min=0, max=10**14)
    )
    justification = ma.fields.String(load_default="", validate=ma.validate.Length(max=2000))


class BenchmarkReasonSchema(ma.Schema):
    zh = ma.fields.String()
    en = ma.fields.String()
    article = ma.fields.String()


class ProposalCheckSchema(ma.Schema):
    ok = ma.fields.Boolean()
    outside_range = ma.fields.Boolean()
    needs_justification = ma.fields.Boolean()
    flag_for_supervision = ma.fields.Boolean()
    requires_approval = ma.fields.Boolean()
    rule = ma.fields.String()
    message = ma.fields.String()
    message_en = ma.fields.String()
    article = ma.fields.String()


class AssessmentSchema(ma.Schema):
    matter_code = ma.fields.String()
    matter_name = ma.fields.String()
    penalty_basis = ma.fields.String()
    party_kind = ma.fields.String()
    tier = ma.fields.String(allow_none=True)
    tier_name = ma.fields.String()
    rule = ma.fields.String()
    fine_min_fen = ma.fields.Integer(allow_none=True)
    fine_max_fen = ma.fields.Integer(allow_none=True)
    statutory_min_fen = ma.fields.Integer(allow_none=True)
    statutory_max_fen = ma.fields.Integer(allow_none=True)
    fine_rule = ma.fields.String()
    no_penalty = ma.fields.String(allow_none=True)
    no_penalty_ground = ma.fields.String(allow_none=True)
    education_required = ma.fields.Boolean()
    may_reduce = ma.fields.Boolean()
    confiscate_gains_fen = ma.fields.Integer()
    other_penalties = ma.fields.List(ma.fields.String())
    circumstances = ma.fields.String()
    mitigating = ma.fields.List(ma.fields.String())
    aggravating = ma.fields.List(ma.fields.String())
    rows = ma.fields.List(ma.fields.Dict(), metadata={"description": "所适用的裁量基准档次"})
    reasons = ma.fields.List(ma.fields.Nested(BenchmarkReasonSchema))
    check = ma.fields.Nested(ProposalCheckSchema, allow_none=True)
    statement = ma.fields.String(metadata={"description": "决定书中裁量基准适用情况的表述"})


class DistributionQuery(PageArgs):
    decided_from = ma.fields.Date()
    decided_to = ma.fields.Date()


class FineQuartilesSchema(ma.Schema):
    min = ma.fields.Float()
    q1 = ma.fields.Float()
    median = ma.fields.Float()
    q3 = ma.fields.Float()
    max = ma.fields.Float()


class FineFencesSchema(ma.Schema):
    low = ma.fields.Float()
    high = ma.fields.Float()


class AgencyFinesSchema(ma.Schema):
    agency_id = ma.fields.UUID()
    agency_code = ma.fields.String()
    agency_name = ma.fields.String()
    count = ma.fields.Integer()
    median_yuan = ma.fields.Float()
    flagged = ma.fields.Integer()


class FineOutlierSchema(ma.Schema):
    case_number = ma.fields.String()
    agency_id = ma.fields.UUID()
    agency_code = ma.fields.String()
    agency_name = ma.fields.String()
    fine_yuan = ma.fields.Float()
    decided_on = ma.fields.Date()
    flagged = ma.fields.Boolean()
    reasons = ma.fields.List(
        ma.fields.String(),
        metadata={
            "description": "iqr_low / iqr_high (1.5×IQR 之外) / outside_benchmark (超出裁量基准幅度)"
        },
    )


class FineOutlierPageSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(FineOutlierSchema), required=True)
    page = ma.fields.Integer(required=True)
    page_size = ma.fields.Integer(required=True)
    total = ma.fields.Integer(required=True)
    pages = ma.fields.Integer(required=True)


class DistributionSchema(ma.Schema):
    matter_code = ma.fields.String()
    matter_name = ma.fields.String()
    penalty_basis = ma.fields.String()
    statutory_min_yuan = ma.fields.Float(allow_none=True)
    statutory_max_yuan = ma.fields.Float(allow_none=True)
    decided = ma.fields.Integer(metadata={"description": "已作出罚款决定的案件数"})
    flagged = ma.fields.Integer(metadata={"description": "其中被标记供执法监督的案件数"})
    fines = ma.fields.Nested(FineQuartilesSchema, allow_none=True, metadata={"description": "元"})
    fences = ma.fields.Nested(FineFencesSchema, allow_none=True)
    agencies = ma.fields.List(ma.fields.Nested(AgencyFinesSchema))
    outliers = ma.fields.Nested(FineOutlierPageSchema)


def _facts(data: dict) -> discretion.Facts:
    """The nested facts (an omitted `facts` arrives as {}; the dataclass has the defaults)."""
    fields = {k: v for k, v in data.items() if v is not None}
    for key in ("mitigating", "aggravating"):
        fields[key] = tuple(fields.get(key, ()))
    return discretion.Facts(**fields)


@blp.route("/discretion/assess")
class Assess(MethodView):
    @requires("cases.read")
    @blp.arguments(AssessSchema)
    @blp.response(200, AssessmentSchema)
    def post(self, args):
        """按裁量基准评估：档次、罚款幅度、不予处罚情形及理由 / Apply the benchmark to the facts

        With `proposed_fine_fen`, the proposal is checked against the range (`check`) and
        `statement` gives the decision document's sentence for it."""
        matter = get_matter(db.session, args["matter_code"])
        try:
            assessment = discretion.assess(matter, args["party_kind"], _facts(args["facts"]))
        except discretion.DiscretionError as error:
            field = error.field if error.field == "party_kind" else f"facts.{error.field}"
            raise Problem(
                422,
                "discretion-facts",
                error.zh,
                error.en,
                errors=[FieldError(field, error.zh, error.en)],
            ) from None
        fine = args["proposed_fine_fen"]
        check = (
            discretion.check_proposal(assessment, fine, args["justification"])
            if fine is not None
            else None
        )
        return {
            **assessment.as_dict(),
            "check": check,
            "statement": discretion.statement(assessment, fine, args["justification"]),
        }


@blp.route("/discretion/matters/<string:code>/distribution")
class MatterDistribution(MethodView):
    @requires("cases.supervise")
    @blp.arguments(DistributionQuery, location="query")
    @blp.response(200, DistributionSchema)
    def get(self, args, code):
        """同一事项在全区的处罚分布与异常值 / How the district punished one matter

        Fines of decided cases in yuan: quartiles, per-agency counts, and the outliers
        (beyond 1.5×IQR or outside the benchmark range) by case number and agency —
        no party data. District-wide for every supervising role (the comparison is the
        point); the outliers are paged."""
        matter = get_matter(db.session, code)
        cases = discretion_queries.decided_cases(
            db.session, code, args.get("decided_from"), args.get("decided_to")
        )
        result = discretion_queries.distribution(matter, cases)
        return {
            **result.__dict__,
            "outliers": page_list(result.outliers, args["page"], args["page_size"]),
        }
