"""A workbook sent to the bot in the 1:1 chat: checked, reported, and kept for Apply.

Admins only (``admin_only``): anyone else is refused politely and the file is not read.
The file is downloaded only from the allowed hosts, within the size and time limits
(``bot.files``), read and checked against the database without changing it
(``storage.workbook``), and answered with the report: per sheet what would be added,
changed and removed, and every error with its sheet, row and column. A file without
errors is kept, and the card's Apply button (``workbook_apply``) applies it. A file with
errors is kept too, for its errors workbook (``exports`` kind ``import_errors``: the
sheet, row, column and message of each), offered after the report as any file is.
"""

from __future__ import annotations

from bot import files
from bot.intents.file_offer import give
from bot.intents.registry import Intent, Request
from cards.imports import build_import_report_card
from cards.views import ImportReportView
from storage import imports
from storage.db import write_transaction
from storage.workbook import Plan, WorkbookRefused, read_workbook


def report_view(plan: Plan, file_name: str, *, apply: dict[str, object] | None) -> ImportReportView:
    return ImportReportView(
        file_name=file_name,
        sheets=[
            (r.title, r.added, r.changed, r.removed, r.unchanged) for r in plan.sheets.values()
        ],
        errors=[str(issue) for issue in plan.errors],
        warnings=[str(issue) for issue in plan.warnings],
        apply=apply,
    )


async def reply(request: Request) -> None:
    turn, t = request.turn, request.t
    sent = files.sent_file(turn.activity)
    if sent is None:
        return
    name, url = sent
    try:
        data = await files.download(turn, url)
    except files.FileRefused as error:
        await request.notice(
            t("I could not read {file}: {reason}.", file=name, reason=t(error.reason)),
            warning=True,
        )
        return
    try:
        async with turn.services.sessions() as session:
            plan = await read_workbook(data, language=t.language, session=session)
    except WorkbookRefused as error:
        await request.notice(str(error), warning=True)
        return
    apply, kept = None, None
    person_id = turn.person.id
    if person_id is not None and (plan.errors or plan.changes):
        async with write_transaction(turn.services.sessions) as session:
            kept = await imports.keep(person_id, plan.digest, name, data, session=session)
        if not plan.errors:
            apply = {"import_id": kept, "digest": plan.digest}
    await turn.send_card(build_import_report_card(report_view(plan, name, apply=apply), t))
    if plan.errors and kept is not None:
        params = {"lang": t.language, "import": str(kept), "person": str(person_id)}
        made = await turn.services.files.make("import_errors", params, turn.services.sessions)
        title = t("The errors in {file}", file=name)
        await give(request, INTENT, "import_errors", params, made, title=title)


INTENT = Intent(
    name="workbook_import",
    attachments=frozenset({files.DOWNLOAD_INFO}),
    admin_only=True,
    shows_money=True,
    reply=reply,
)
