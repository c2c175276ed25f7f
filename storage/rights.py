"""The access policy: who may see which money, in which conversation.

Managers and admins see budgets and costs; owners and deputies see them for their own
projects (those they may report on: the same rule as the status form); everyone else
sees progress and health only. In a channel or a group chat everyone present reads the
reply, so it is built with progress-only rights, whoever asked. Every query that returns
money takes ``Rights`` (``storage.portfolio``), and so does every chart link.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Protocol

from sqlmodel import col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Person, Project, Role


class Identified(Protocol):
    """A project as an entity or as a read model: its id is all the rights ask."""

    @property
    def id(self) -> int | None: ...


@dataclass(frozen=True, slots=True)
class Rights:
    """What one viewer may see: all money, or money only for their own projects."""

    all_money: bool
    own_projects: frozenset[int] = field(default_factory=frozenset)

    @property
    def code(self) -> str:
        return "money" if self.all_money else "progress"

    def money(self, project: Identified, cents: int | None) -> int | None:
        """The figure, or None when this viewer may not see it."""
        if self.all_money or (project.id is not None and project.id in self.own_projects):
            return cents
        return None

    def text(self, project: Identified, text: str) -> str:
        """Free text about a project, with euro amounts removed for viewers without money rights."""
        if self.money(project, 0) is not None:
            return text
        return _MONEY_TEXT.sub("…", text)


_MONEY_TEXT = re.compile(
    r"(€\s*\d[\d\s\u00a0.,]*(?:\s*[kKmM]\b)?|\d[\d\s\u00a0.,]*\s*(?:[kKmM]\s*)?(?:€|EUR|euroa?|euros?)(?:\s*/\s*\w+)?)"
)
VIEWER = Rights(all_money=False)
NO_RIGHTS = VIEWER  # for what shows no money at all


def sees_people(person: Person) -> bool:
    """Whether the person may have the people sheet (names, e-mails, roles): admins only."""
    return person.role == Role.admin


async def rights_for(person: Person, *, shared_conversation: bool, session: AsyncSession) -> Rights:
    if shared_conversation:
        return VIEWER
    if person.role in (Role.admin, Role.manager):
        return Rights(all_money=True)
    owned = await session.exec(  # the projects they may report on: the same rule as the form
        select(Project.id).where(
            or_(
                col(Project.owner_id) == person.id,
                col(Project.deputy_id) == person.id,
                col(Project.owner_id).in_(
                    select(Person.id).where(col(Person.deputy_id) == person.id).scalar_subquery()
                ),
            )
        )
    )
    return Rights(all_money=False, own_projects=frozenset(i for i in owned.all() if i is not None))
