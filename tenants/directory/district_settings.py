"""The district's settings (`Tenant.settings`): every key the product reads, its type,
default, the values allowed, and what it means in Chinese and English.

Reading a setting goes through `value_of` (a stored value that is missing or no longer
valid reads as the default, never as garbage); changing settings goes through
`update_settings`, all keys or none. A value equal to the default is not stored, so a
district that never chose follows the platform's default.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from yimen.platform.kernel.db.tenancy import current_tenant_id
from yimen.platform.kernel.directory import Tenant
from yimen.platform.kernel.errors import FieldProblem, Invalid, NotFound

INTEGER, TEXT, CHOICE = "integer", "text", "choice"


@dataclass(frozen=True)
class Setting:
    key: str
    kind: str  # INTEGER, TEXT or CHOICE
    default: Any | Callable[[str], Any]  # a value, or a function of the district's name
    label: str
    label_en: str
    help: str
    help_en: str
    minimum: int | None = None
    maximum: int | None = None
    max_length: int = 100
    choices: dict[str, tuple[str, str]] = field(default_factory=dict)  # value → (zh, en)

    def default_for(self, district: str) -> Any:
        return self.default(district) if callable(self.default) else self.default

    def error(self, value: Any) -> tuple[str, str] | None:
        """Why `value` cannot be this setting (Chinese, English), or None."""
        if self.kind == INTEGER:
            if not isinstance(value, int) or isinstance(value, bool):
                return "应为整数。", "Not a valid integer."
            if not self.minimum <= value <= self.maximum:
                return (
                    f"应在 {self.minimum} 到 {self.maximum} 之间。",
                    f"Must be between {self.minimum} and {self.maximum}.",
                )
        elif self.kind == CHOICE:
            if value not in self.choices:
                allowed = ", ".join(self.choices)
                return f"应为以下取值之一：{allowed}。", f"Must be one of: {allowed}."
        else:
            if not isinstance(value, str):
                return "应为字符串。", "Not a valid string."
            if not value.strip():
                return (
                    "不能为空；恢复默认值请传 null。",
                    "May not be blank; send null to restore the default.",
                )
            if len(value.strip()) > self.max_length:
                return (
                    f"不能超过 {self.max_length} 个字符。",
                    f"Must be at most {self.max_length} characters.",
                )
        return None

    def clean(self, value: Any) -> Any:
        return value.strip() if self.kind == TEXT else value


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "clue_accept_working_days",
        INTEGER,
        3,
        "线索受理期限(工作日)",
        "Days to accept a clue (working days)",
        "部门收到分派的线索后，须在此期限内受理或转办，逾期自动升级督办。区级工作规则，法律未规定具体天数。",
        "Working days an agency has to accept or transfer a clue offered to it; overdue "
        "clues are escalated. A district rule: the law sets no number.",
        minimum=1,
        maximum=30,
    ),
    Setting(
        "clue_feedback_days",
        INTEGER,
        15,
        "办结后反馈期限(日)",
        "Feedback period after closure (days)",
        "线索办结后，投诉人可在此期限内反馈“未解决”并要求重新办理。",
        "Days after a clue is closed during which the complainant may answer "
        "“not resolved” and have it reopened.",
        minimum=1,
        maximum=90,
    ),
    Setting(
        "clue_duplicate_window_days",
        INTEGER,
        7,
        "重复投诉比对时间窗(日)",
        "Duplicate-complaint window (days)",
        "相同事项、相近地点的投诉在此天数内提出的，系统提示可能重复，由执法人员确认是否合并。",
        "Complaints about the same matter near the same place within this many days are "
        "proposed as duplicates; an officer confirms before anything is merged.",
        minimum=1,
        maximum=90,
    ),
    # An open question of the law (处罚法 第五十一条 does not say), read by the case engine.
    Setting(
        "simple_procedure_individual_business_as",
        CHOICE,
        "person",
        "个体工商户适用简易程序时视为",
        "An individual business counts, for the simple procedure, as",
        "《行政处罚法》第五十一条：对公民处二百元以下、对法人或者其他组织处三千元以下罚款的，"
        "可以当场作出处罚决定。法律未明确个体工商户属于哪一类，由本区经法制审核确定。",
        "Administrative Penalty Law art. 51: an on-the-spot decision for a fine up to "
        "¥200 for a citizen or ¥3,000 for an organisation. The law does not say which an "
        "individual business (个体工商户) is; the district decides with legal sign-off.",
        choices={
            "person": ("公民(二百元以下)", "A citizen (up to ¥200)"),
            "organisation": ("其他组织(三千元以下)", "An organisation (up to ¥3,000)"),
        },
    ),
    Setting(
        "reconsideration_body",
        TEXT,
        lambda district: f"{district}人民政府",
        "行政复议机关",
        "Reconsideration body",
        "处罚决定书告知当事人的复议机关。《行政复议法》第二十四条第一款第(一)项：对本级人民政府"
        "工作部门的行政行为，由本级人民政府管辖。",
        "The body a decision names for administrative reconsideration. Administrative "
        "Reconsideration Law art. 24(1)(1): the people's government at the same level "
        "hears reconsideration of its departments' acts.",
    ),
    Setting(
        "litigation_court",
        TEXT,
        lambda district: f"{district}人民法院",
        "行政诉讼管辖法院",
        "Court for administrative litigation",
        "处罚决定书告知当事人的起诉法院。《行政诉讼法》第十八条：由最初作出行政行为的行政机关"
        "所在地人民法院管辖；实行行政案件集中管辖的地区，请填写指定的法院。",
        "The court a decision names for a lawsuit. Administrative Litigation Law art. 18: "
        "the court where the acting agency sits; where administrative cases are assigned to "
        "a designated court, enter that court.",
    ),
    # 行政强制法 第四十三条 forbids execution 夜间 without saying when night is.
    Setting(
        "execution_night_start",
        INTEGER,
        22,
        "夜间开始时刻(时)",
        "Night begins at (hour)",
        "《行政强制法》第四十三条：行政机关不得在夜间或者法定节假日实施行政强制执行，情况紧急的除外。"
        "法律未规定“夜间”的起止时刻，由本区确定(常用二十二时至次日六时)。",
        "Administrative Compulsion Law art. 43: no execution at night or on statutory "
        "holidays except in an emergency. The law does not define night; the district does "
        "(commonly 22:00 to 06:00).",
        minimum=18,
        maximum=23,
    ),
    Setting(
        "execution_night_end",
        INTEGER,
        6,
        "夜间结束时刻(时)",
        "Night ends at (hour)",
        "与“夜间开始时刻”一起界定《行政强制法》第四十三条所称的夜间。",
        "With the start hour, defines the night of art. 43.",
        minimum=5,
        maximum=8,
    ),
    Setting(
        "workbench_due_soon_working_days",
        INTEGER,
        3,
        "工作台临期提醒(工作日)",
        "Workbench: periods due within (working days)",
        "执法工作台将在此数量的工作日内届满的期限列为临期待办；已逾期的始终排在最前。"
        "区级工作规则，法律未规定具体天数。",
        "The workbench lists a period ending within this many working days as due soon; "
        "overdue ones always come first. A district rule: the law sets no number.",
        minimum=1,
        maximum=15,
    ),
)
REGISTRY: dict[str, Setting] = {s.key: s for s in SETTINGS}


def value_of(stored: dict | None, key: str, district: str = "") -> Any:
    """The typed value of `key` from a district's stored settings, or its default."""
    setting = REGISTRY[key]
    value = (stored or {}).get(key)
    if value is None or setting.error(value) is not None:
        return setting.default_for(district)
    return setting.clean(value)


def read(session: Session, key: str, tenant_id=None) -> Any:
    """One setting of the current district (or of `tenant_id`)."""
    tenant = session.get(Tenant, tenant_id or current_tenant_id())
    return value_of(tenant.settings if tenant else None, key, tenant.name if tenant else "")


def describe(tenant: Tenant) -> list[dict]:
    """Every setting of `tenant`: its value, default, whether it is the default, and
    what it means — in the registry's order."""
    rows = []
    for s in SETTINGS:
        value, default = value_of(tenant.settings, s.key, tenant.name), s.default_for(tenant.name)
        rows.append(
            {
                "key": s.key,
                "type": s.kind,
                "value": value,
                "default": default,
                "is_default": value == default,
                "label": s.label,
                "label_en": s.label_en,
                "help": s.help,
                "help_en": s.help_en,
                "minimum": s.minimum,
                "maximum": s.maximum,
                "choices": [
                    {"value": v, "label": zh, "label_en": en} for v, (zh, en) in s.choices.items()
                ],
            }
        )
    return rows


def current_district(session: Session) -> Tenant:
    tenant = session.get(Tenant, current_tenant_id())
    if tenant is None:
        raise NotFound("not-found", "区不存在。", "District not found.")
    return tenant


def validate(changes: dict) -> list[FieldProblem]:
    """Every reason `changes` cannot be applied: unknown keys and invalid values."""
    errors = []
    for key, value in changes.items():
        setting = REGISTRY.get(key)
        if setting is None:
            errors.append(FieldProblem(key, "没有该设置项。", "No such setting."))
        elif value is not None and (why := setting.error(value)) is not None:
            errors.append(FieldProblem(key, *why))
    return errors


def update_settings(session: Session, changes: dict) -> Tenant:
    """Change some settings of the current district, all or none; `None` restores a
    default. The change is audited with the district (the tenant row is audited)."""
    errors = validate(changes)
    if errors:
        raise Invalid(
            "invalid-settings",
            "区设置有误，未作任何修改。",
            "The settings are invalid; nothing was changed.",
            fields=errors,
        )
    tenant = current_district(session)
    stored = dict(tenant.settings or {})
    for key, value in changes.items():
        setting = REGISTRY[key]
        if value is None or setting.clean(value) == setting.default_for(tenant.name):
            stored.pop(key, None)
        else:
            stored[key] = setting.clean(value)
    tenant.settings = stored  # a new dict, so the change is seen (and audited)
    session.flush()
    return tenant
