"""Many owners pressing "Save status" at the same moment, and what each of them is told.

Shared by ``tests/bot/test_concurrent_saves.py`` and ``python -m bench.concurrent_saves``.
Each submit is an ``Action.Execute`` posted to ``/api/messages`` of the real app; all of
them are in flight together. Afterwards every reply is held against the database:

* a reply that says "saved" must name the revision that its activity id saved, by number;
* a reply that says nothing was saved must have no revision with its activity id;
* every revision has exactly one audit entry from the same activity.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import SessionFactory
from storage.models import (
    AuditLog,
    Person,
    Role,
    StatusReport,
    StatusRevision,
)
from tests.support import activities as a
from tests.support.activities import TENANT, User
from tests.support.portfolio import CURRENT_PERIOD, plain_project

Post = Callable[[dict[str, Any]], Awaitable[tuple[int, Any]]]
_VERSION = re.compile(r"^Version (\d+)$")


@dataclass(frozen=True, slots=True)
class Target:
    """A started project and its owner, who may report on it."""

    owner: User
    project_id: int


@dataclass(frozen=True, slots=True)
class Tally:
    submits: int
    saved: int  # replies that said "saved"
    refused: int  # replies that said nothing was saved
    unclear: int  # replies that said neither (or no 200)
    matching: int  # replies that say what the database holds for their activity
    revisions: int  # revisions saved by these submits
    audit_entries: int  # audit entries written by these submits
    one_audit_each: bool  # every revision has one audit entry, and nothing else has one
    reports: int  # reports these revisions belong to
    numbered_in_order: bool  # each report's revisions are 1..n and it shows n

    @property
    def all_kept(self) -> bool:
        return (
            self.saved == self.submits == self.matching == self.revisions == self.audit_entries
            and self.numbered_in_order
            and self.one_audit_each
        )


async def seed(session: AsyncSession, projects: int) -> list[Target]:
    """``projects`` started projects "CS-01"…, each with an owner of its own (en-US)."""
    targets = []
    for n in range(1, projects + 1):
        user = User(f"29:cs-owner-{n}", f"aad-cs-owner-{n}", f"Owner {n:02d}", "en-US")
        person = Person(
            aad_object_id=user.aad,
            teams_id=user.teams_id,
            name=user.name,
            role=Role.owner,
            tenant_id=TENANT,
        )
        session.add(person)
        await session.flush()
        project = plain_project(f"CS-{n:02d}", str(n), person.id)
        session.add(project)
        await session.flush()
        assert project.id is not None
        targets.append(Target(user, project.id))
    return targets


def submission(target: Target, n: int) -> dict[str, Any]:
    return {
        "verb": "status.submit",
        "project_id": target.project_id,
        "period": CURRENT_PERIOD,
        "health": ("on_track", "at_risk", "off_track")[n % 3],
        "progress": str(n % 101),
        "spent": str(1000 + n),
        "forecast": str(90000 + n),
        "achievements": f"Submit {n}",
        "next_steps": "",
        "risks": "",
    }


def texts(node: Any) -> list[str]:
    if isinstance(node, dict):
        own = [node["text"]] if isinstance(node.get("text"), str) else []
        return own + [text for value in node.values() for text in texts(value)]
    if isinstance(node, list):
        return [text for item in node for text in texts(item)]
    return []


def told(status: int, body: Any) -> tuple[str, int | None]:
    """What the reply tells the owner: ("saved", version), ("refused", None) or ("unclear", None)."""
    if status != 200 or not isinstance(body, dict) or not isinstance(body.get("value"), dict):
        return "unclear", None
    shown = texts(body["value"])
    if any("nothing was saved" in text.lower() for text in shown):
        return "refused", None
    if any(text.startswith("✅ Saved by") for text in shown):
        versions = [int(m.group(1)) for text in shown if (m := _VERSION.match(text))]
        return "saved", versions[0] if versions else 1
    return "unclear", None


async def submit_all(
    post: Post, sessions: SessionFactory, service_url: str, plan: Sequence[tuple[Target, int]]
) -> Tally:
    """Post every submit of ``plan`` at once; hold each reply against the database."""
    activities = [
        a.execute(target.owner, service_url, "status.submit", submission(target, n))
        for target, n in plan
    ]
    return await _tally(activities, await asyncio.gather(*map(post, activities)), sessions)


async def _tally(
    activities: list[dict[str, Any]], replies: list[tuple[int, Any]], sessions: SessionFactory
) -> Tally:
    ids = [activity["id"] for activity in activities]
    async with sessions() as session:
        revisions = {
            r.activity_id: r
            for r in (
                await session.exec(
                    select(StatusRevision).where(col(StatusRevision.activity_id).in_(ids))
                )
            ).all()
        }
        audit = dict(
            (
                await session.exec(
                    select(AuditLog.activity_id, func.count())
                    .where(col(AuditLog.activity_id).in_(ids))
                    .group_by(col(AuditLog.activity_id))
                )
            ).all()
        )
        report_ids = {r.report_id for r in revisions.values()}
        reports = (
            await session.exec(select(StatusReport).where(col(StatusReport.id).in_(report_ids)))
        ).all()
        numbers: dict[int, list[int]] = {}
        for report_id, number in (
            await session.exec(
                select(StatusRevision.report_id, StatusRevision.number).where(
                    col(StatusRevision.report_id).in_(report_ids)
                )
            )
        ).all():
            numbers.setdefault(report_id, []).append(number)
    kinds = {"saved": 0, "refused": 0, "unclear": 0}
    matching = 0
    for activity_id, (status, body) in zip(ids, replies, strict=True):
        kind, version = told(status, body)
        kinds[kind] += 1
        revision = revisions.get(activity_id)
        if (kind == "saved" and revision is not None and revision.number == version) or (
            kind == "refused" and revision is None
        ):
            matching += 1
    in_order = all(
        sorted(numbers[report.id or 0]) == list(range(1, report.revision + 1)) for report in reports
    )
    return Tally(
        submits=len(ids),
        saved=kinds["saved"],
        refused=kinds["refused"],
        unclear=kinds["unclear"],
        matching=matching,
        revisions=len(revisions),
        audit_entries=sum(audit.values()),
        one_audit_each=audit == dict.fromkeys(revisions, 1),
        reports=len(reports),
        numbered_in_order=in_order,
    )


def spread(targets: Sequence[Target], submits: int) -> list[tuple[Target, int]]:
    """``submits`` submits, round robin over the targets."""
    return [(targets[n % len(targets)], n) for n in range(submits)]
