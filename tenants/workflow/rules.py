"""Resolving, checking and comparing procedure definitions — pure functions.

An override is a delta (add or remove stages, documents and approvals; change deadline
counts), so it records what a district or agency meant to change and survives a new
library version. The effective definition is platform → district → agency, and is
checked against the statutory floor (statutory.py) after every step.
"""

from __future__ import annotations

import copy
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from yimen.tenants.workflow.statutory import LIBRARY_V1

# A procedure definition (or an override delta) as stored JSON: stages, documents, approvals
# and deadlines, read here by computed keys ("documents"/"approvals", "kind"/"role"), so an
# open mapping rather than a TypedDict. statutory.py shows the shape.
Definition = dict[str, Any]

FLOOR: dict[str, Definition] = {d["kind"]: d for d in LIBRARY_V1}


@dataclass(frozen=True)
class Violation:
    rule: str
    zh: str
    en: str


def _stage(definition: Definition, stage_id: str) -> dict[str, Any] | None:
    stages: list[dict[str, Any]] = definition["stages"]
    return next((s for s in stages if s["id"] == stage_id), None)


def apply_delta(definition: Definition, delta: Definition | None) -> Definition:
    """One override applied to a definition (never mutates its inputs)."""
    result: Definition = copy.deepcopy(definition)
    if not delta:
        return result
    removed = set(delta.get("remove_stages", []))
    result["stages"] = [s for s in result["stages"] if s["id"] not in removed]
    for new in delta.get("add_stages", []):
        stage = {"statutory": False, "article": "", "condition": None, **new}
        stage["documents"] = [{"kind": d, "statutory": False} for d in new.get("documents", [])]
        stage["approvals"] = [{"role": r, "statutory": False} for r in new.get("approvals", [])]
        after = stage.pop("after", None)
        ids = [s["id"] for s in result["stages"]]
        position = ids.index(after) + 1 if after in ids else len(ids)
        result["stages"].insert(position, stage)
    for key, item_key, field in (
        ("documents", "kind", "documents"),
        ("approvals", "role", "approvals"),
    ):
        for stage_id, items in delta.get(f"add_{key}", {}).items():
            if (target := _stage(result, stage_id)) is not None:
                target[field] += [
                    {item_key: i, "statutory": False}
                    for i in items
                    if i not in {x[item_key] for x in target[field]}
                ]
        for stage_id, items in delta.get(f"remove_{key}", {}).items():
            if (target := _stage(result, stage_id)) is not None:
                target[field] = [x for x in target[field] if x[item_key] not in items]
    for deadline_id, change in delta.get("deadlines", {}).items():
        for deadline in result["deadlines"]:
            if deadline["id"] == deadline_id:
                deadline.update({k: v for k, v in change.items() if k in ("count", "roll_forward")})
    return result


def resolve(
    library: Definition, district: Definition | None = None, agency: Definition | None = None
) -> Definition:
    """Platform library, then the district's override, then the agency's."""
    return apply_delta(apply_delta(library, district), agency)


def check_against_statute(definition: Definition) -> list[Violation]:
    """Every way `definition` removes or weakens the statutory floor of its procedure."""
    floor = FLOOR[definition["kind"]]
    found: list[Violation] = []
    for required in floor["stages"]:
        stage = _stage(definition, required["id"])
        if stage is None:
            found.append(
                Violation(
                    f"stage:{required['id']}",
                    f"不得删除法定环节「{required['name']}」({required['article']})。",
                    f"The statutory stage '{required['name_en']}' cannot be removed ({required['article']}).",
                )
            )
            continue
        for key, item_key, zh_word in (
            ("documents", "kind", "文书"),
            ("approvals", "role", "审批"),
        ):
            have = {x[item_key] for x in stage[key]}
            for item in required[key]:
                if item[item_key] not in have:
                    found.append(
                        Violation(
                            f"{key}:{required['id']}:{item[item_key]}",
                            f"不得删除「{required['name']}」环节的法定{zh_word}「{item[item_key]}」({required['article']})。",
                            f"The statutory {key[:-1]} '{item[item_key]}' of '{required['name_en']}' cannot be removed ({required['article']}).",
                        )
                    )
    deadlines = {d["id"]: d for d in definition["deadlines"]}
    for required in floor["deadlines"]:
        actual = deadlines.get(required["id"])
        if actual is None:
            found.append(
                Violation(
                    f"deadline:{required['id']}",
                    f"不得删除法定期限「{required['name']}」({required['article']})。",
                    f"The statutory deadline '{required['id']}' cannot be removed ({required['article']}).",
                )
            )
        elif required["binds"] == "party" and actual["count"] < required["count"]:
            found.append(
                Violation(
                    f"deadline:{required['id']}",
                    f"不得缩短当事人的「{required['name']}」：法定 {required['count']} 日 ({required['article']})。",
                    f"The party's '{required['id']}' period cannot be shortened below {required['count']} ({required['article']}).",
                )
            )
        elif required["binds"] == "agency" and actual["count"] > required["count"]:
            found.append(
                Violation(
                    f"deadline:{required['id']}",
                    f"不得延长行政机关的「{required['name']}」：法定 {required['count']} 日 ({required['article']})。",
                    f"The agency's '{required['id']}' period cannot be lengthened beyond {required['count']} ({required['article']}).",
                )
            )
    return found


def fingerprint(definition: Definition) -> str:
    return hashlib.sha256(
        json.dumps(definition, sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()[:16]


def diff(old: Definition, new: Definition) -> dict[str, Any]:
    """What changed between two definitions, by stage, document, approval and deadline."""
    old_stages, new_stages = (
        {s["id"]: s for s in old["stages"]},
        {s["id"]: s for s in new["stages"]},
    )
    changes: dict[str, Any] = {
        "stages_added": [new_stages[i]["name"] for i in new_stages if i not in old_stages],
        "stages_removed": [old_stages[i]["name"] for i in old_stages if i not in new_stages],
        "documents": [],
        "approvals": [],
        "deadlines": [],
    }
    for stage_id in old_stages.keys() & new_stages.keys():
        for key, item_key in (("documents", "kind"), ("approvals", "role")):
            before = {x[item_key] for x in old_stages[stage_id][key]}
            after = {x[item_key] for x in new_stages[stage_id][key]}
            if before != after:
                changes[key].append(
                    {
                        "stage": new_stages[stage_id]["name"],
                        "added": sorted(after - before),
                        "removed": sorted(before - after),
                    }
                )
    old_deadlines = {d["id"]: d for d in old["deadlines"]}
    for deadline in new["deadlines"]:
        old_deadline = old_deadlines.get(deadline["id"])
        if old_deadline is None or old_deadline["count"] != deadline["count"]:
            changes["deadlines"].append(
                {
                    "deadline": deadline["name"],
                    "from": old_deadline and old_deadline["count"],
                    "to": deadline["count"],
                }
            )
    return changes
