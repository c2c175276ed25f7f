"""The deck's sections, in the order of the seed's board deck (8 Nov 2024).

Title; agenda; background; 1. the programme's indicators; 2a. the followed-up roadmap's
projects and their progress (by theme, late or at risk, totals by state); 2b. its completed
projects' impacts and costs; the budget lines; 3. the roadmap for approval (projects, need
source and benefit, level and responsible director, the impact/cost matrix); the decision
proposal; and an appendix of one slide per project for approval.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from babel.dates import format_skeleton
from pptx.enum.chart import XL_CHART_TYPE
from pptx.slide import Slide

from cards.labels import BENEFIT, HEALTH, LEVEL, NEED, STATE
from deck.shapes import (
    SERIES_COLOURS,
    Builder,
    Column,
    bar_chart,
    emu,
    line_chart,
    scatter_chart,
    table_pages,
)
from deck.text import Texts
from storage.deck import BudgetLineView, DeckData, ProjectView
from storage.models import Funding, Health, Lifecycle
from translations import Translator
from translations.markers import N_

TABLE_POINTS = 11.0
SMALL_POINTS = 10.0
FUNDING = {"city_budget": N_("City budget"), "project_grant": N_("Project funding")}


def month_label(period: str, t: Translator) -> str:
    """``2024-10`` as the locale writes a month: 10.2024 (fi, sv), 10/2024 (en)."""
    return t.period(period[:7])


def day_label(day: date, t: Translator) -> str:
    return str(format_skeleton("yMd", day, locale=t.babel_locale))


def _eur(cents: int | None) -> float:
    return float(Decimal(cents or 0) / 100)


class Sections:
    """Builds every section of one deck: one language, one set of data."""

    def __init__(self, builder: Builder, data: DeckData, t: Translator) -> None:
        self.b = builder
        self.data = data
        self.t = t
        self.texts = Texts(t)
        self.previous = data.year - 1

    # -- helpers -------------------------------------------------------------------------

    def _done(self, slide: Slide, note: str = "") -> None:
        fallback = self.texts.take_note()
        self.b.finish(slide, " · ".join(n for n in (note, fallback) if n))

    def _tables(
        self,
        title: str,
        columns: Sequence[Column],
        rows: Sequence[Sequence[str]],
        *,
        empty: str,
        note: str = "",
        points: float = TABLE_POINTS,
        alert: Sequence[bool] = (),
        total_row: bool = False,
    ) -> None:
        """A table over as many slides as it needs, "(2/3)" in the title of each."""
        frame = self.b.frame
        if not rows:
            slide = self.b.slide(title)
            self.b.text(slide, empty, frame.left, frame.top, frame.width, emu(40), 14)
            self._done(slide, note)
            return
        pages = table_pages(columns, rows, frame.width, frame.height, points)
        start = 0
        for number, page in enumerate(pages, start=1):
            heading = f"{title} ({number}/{len(pages)})" if len(pages) > 1 else title
            slide = self.b.slide(heading)
            flagged = [i for i in range(len(page)) if start + i < len(alert) and alert[start + i]]
            self.b.table(
                slide,
                columns,
                page,
                frame.top,
                points,
                alert_rows=flagged,
                total_row=total_row and number == len(pages),
            )
            start += len(page)
            self._done(slide, note)

    def _name(self, project: ProjectView) -> str:
        return self.texts.pick(project.names)

    def _health(self, project: ProjectView) -> str:
        t = self.t
        if project.state is Lifecycle.completed:
            return t(STATE["completed"])
        if project.state is not Lifecycle.started:
            return t(STATE[str(project.state)])
        if project.health is None:
            return t("No report")
        return t(HEALTH[str(project.health)])

    def _progress(self, project: ProjectView) -> str:
        return "–" if project.progress is None else self.t.percent(project.progress)

    def as_of_text(self) -> str:
        t = self.t
        if self.data.as_of:
            return t("Data as of the end of {month}", month=month_label(self.data.as_of, t))
        return t("Data as of {date}", date=day_label(self.data.as_of_day, t))

    # -- title, agenda, background -------------------------------------------------------

    def title(self, city: str, board_date: date) -> None:
        t, frame = self.t, self.b.frame
        slide = self.b.slide(
            t(
                "Follow-up of the Digital Programme and Roadmap {previous}, and approval of the Digital Roadmap {year}",
                previous=self.previous,
                year=self.data.year,
            ),
            kind="title",
        )
        lines = [self.texts.pick(self.data.programme.names)]
        if city:
            lines.append(city)
        lines.append(t("City board, {date}", date=day_label(board_date, t)))
        lines.append(self.as_of_text())
        top = frame.top + frame.height // 2
        self.b.text(
            slide,
            "\n".join(lines),
            frame.left,
            top,
            frame.width,
            frame.height // 2,
            18,
            min_points=12,
        )
        self._done(slide)

    def agenda(self) -> None:
        t, frame = self.t, self.b.frame
        slide = self.b.slide(t("Agenda"))
        items = [
            t("Background: the Digital Programme and the roadmaps"),
            t("1. Programme follow-up: indicators"),
            t("2a. Roadmap {year}: projects and their progress", year=self.previous),
            t("2b. Roadmap {year}: impacts and costs", year=self.previous),
            t("3. Roadmap {year}: projects, estimated impacts and costs", year=self.data.year),
            t("Decision proposal"),
            t("Appendix: the projects of roadmap {year}", year=self.data.year),
        ]
        self.b.text(
            slide,
            "\n".join(items),
            frame.left,
            frame.top,
            frame.width,
            frame.height,
            20,
            min_points=12,
        )
        self._done(slide)

    def background(self) -> None:
        t, frame, data = self.t, self.b.frame, self.data
        programme = data.programme
        slide = self.b.slide(t("Background: the programme and the roadmaps"))
        name = self.texts.pick(programme.names)
        period = t(
            "{name}, {start}–{end}", name=name, start=programme.start_year, end=programme.end_year
        )
        lines = [name if str(programme.start_year) in name else period]
        if programme.approved_on:
            lines.append(
                t("Approved by the city board on {date}.", date=day_label(programme.approved_on, t))
            )
        lines.append("")
        lines.append(t("The programme's themes:"))
        lines += [f"{number}. {self.texts.pick(names)}" for number, names in programme.themes]
        if programme.capabilities:
            lines.append("")
            lines.append(
                t(
                    "Capabilities the programme needs: {names}",
                    names=", ".join(self.texts.pick(c) for c in programme.capabilities),
                )
            )
        half = frame.width * 3 // 5
        self.b.text(
            slide, "\n".join(lines), frame.left, frame.top, half, frame.height, 16, min_points=11
        )
        roadmap_lines = [t("The digital roadmap is the yearly plan of projects.")]
        for roadmap in (data.follow_up, data.proposal):
            if roadmap is None:
                continue
            if roadmap.approved_on:
                roadmap_lines.append(
                    t(
                        "Roadmap {year} was approved on {date}.",
                        year=roadmap.year,
                        date=day_label(roadmap.approved_on, t),
                    )
                )
            else:
                roadmap_lines.append(t("Roadmap {year} is a draft.", year=roadmap.year))
        gap = frame.width // 30
        self.b.text(
            slide,
            "\n".join(roadmap_lines),
            frame.left + half + gap,
            frame.top,
            frame.width - half - gap,
            frame.height,
            16,
            min_points=11,
        )
        self._done(slide)

    # -- 1. indicators -------------------------------------------------------------------

    def indicators(self) -> None:
        t, data = self.t, self.data
        years = sorted({period[:4] for i in data.indicators for period in i.values})[-3:]
        columns = [
            Column(t("Indicator"), 4.2),
            Column(t("Baseline"), 1.5, numeric=True),
            *(Column(year, 1.3, numeric=True) for year in years),
            Column(t("Target {year}", year=data.programme.end_year), 1.4, numeric=True),
            Column(t("Status"), 1.6),
        ]
        rows: list[list[str]] = []
        alert: list[bool] = []
        for indicator in data.indicators:
            unit = self.t.unit(indicator.unit)
            by_year: dict[str, Decimal] = {}
            for period, value in indicator.values.items():
                by_year[period[:4]] = value  # the year's latest value
            baseline = indicator.baseline
            off = indicator.off_track
            rows.append(
                [
                    self.texts.pick(indicator.names),
                    self._value(baseline[1], unit) + f" ({baseline[0][:4]})" if baseline else "–",
                    *(self._value(by_year.get(year), unit) for year in years),
                    self._value(indicator.target, unit),
                    "–" if off is None else t("Behind the path") if off else t("On the path"),
                ]
            )
            alert.append(bool(off))
        self._tables(
            t("1. Programme follow-up: indicators"),
            columns,
            rows,
            empty=t("No indicators are recorded."),
            note=t("The path: a straight line from the baseline to the target."),
            alert=alert,
        )

    def _value(self, value: Decimal | None, unit: str) -> str:
        if value is None:
            return "–"
        if unit == "%":
            return self.t.percent(value)
        return f"{self.t.number(value)} {unit}".strip()

    # -- 2a. follow-up --------------------------------------------------------------------

    def follow_up_overview(self) -> None:
        t, frame, data = self.t, self.b.frame, self.data
        projects = data.follow_up_projects
        slide = self.b.slide(
            t("2a. Roadmap {year}: projects by theme and health", year=self.previous)
        )
        themes = [number for number, _ in data.programme.themes]
        if any(p.theme is None for p in projects):
            themes.append(0)
        categories = [t("Theme {number}", number=n) if n else t("No theme") for n in themes]
        groups = (
            "completed",
            "on_track",
            "at_risk",
            "off_track",
            "no_report",
            "planned",
            "paused",
            "cancelled",
        )
        names = {
            "completed": t(STATE["completed"]),
            "on_track": t(HEALTH["on_track"]),
            "at_risk": t(HEALTH["at_risk"]),
            "off_track": t(HEALTH["off_track"]),
            "no_report": t("No report"),
            "planned": t(STATE["planned"]),
            "paused": t(STATE["paused"]),
            "cancelled": t(STATE["cancelled"]),
        }
        counts = Counter((p.theme or 0, health_group(p)) for p in projects)
        series = [
            (names[g], [counts[(n, g)] for n in themes], SERIES_COLOURS[g])
            for g in groups
            if any(counts[(n, g)] for n in themes)
        ]
        chart_width = frame.width * 3 // 5
        if series:
            bar_chart(
                slide,
                categories,
                series,
                (frame.left, frame.top, chart_width, frame.height),
                kind=XL_CHART_TYPE.BAR_STACKED,
            )
        lines = [t("Projects on roadmap {year}: {count}", count=len(projects), year=self.previous)]
        lines += [f"{n}. {self.texts.pick(names_)}" for n, names_ in data.programme.themes]
        gap = frame.width // 30
        self.b.text(
            slide,
            "\n".join(lines),
            frame.left + chart_width + gap,
            frame.top,
            frame.width - chart_width - gap,
            frame.height,
            14,
            min_points=10,
        )
        self._done(slide)

    def follow_up_projects(self) -> None:
        t, data = self.t, self.data
        money = data.shows_money
        columns = [
            Column(t("Theme"), 0.8),
            Column(t("Code"), 1.1),
            Column(t("Project"), 4.0),
            Column(t("Health"), 1.6),
            Column(t("Progress"), 1.1, numeric=True),
            *(
                [Column(t("Spent"), 1.5, numeric=True), Column(t("Budget"), 1.5, numeric=True)]
                if money
                else []
            ),
            Column(t("Owner"), 1.9),
        ]
        ordered = sorted(data.follow_up_projects, key=lambda p: (p.theme or 99, p.code))
        rows = [
            [
                str(p.theme) if p.theme else "–",
                p.code,
                self._name(p),
                self._health(p),
                self._progress(p),
                *([t.money(p.spent_cents), t.money(p.planned_cents)] if money else []),
                p.owner or "–",
            ]
            for p in ordered
        ]
        alert = [
            money
            and p.spent_cents is not None
            and p.planned_cents is not None
            and p.spent_cents > p.planned_cents
            for p in ordered
        ]
        self._tables(
            t("2a. Roadmap {year}: projects, progress and spend", year=self.previous),
            columns,
            rows,
            empty=t("Roadmap {year} has no projects.", year=self.previous),
            alert=alert,
            note=t("Red: spent more than the budget.") if money and any(alert) else "",
        )

    def late_or_at_risk(self) -> None:
        t, data = self.t, self.data
        flagged = late_or_at_risk(data.follow_up_projects, data.as_of_day)
        columns = [
            Column(t("Code"), 1.0),
            Column(t("Project"), 3.0),
            Column(t("Health"), 1.5),
            Column(t("Progress"), 1.0, numeric=True),
            Column(t("Ends"), 1.3),
            Column(t("Owner"), 1.7),
            Column(t("Risks, in the owner's words"), 4.5, max_lines=4),
        ]
        rows = [
            [
                p.code,
                self._name(p),
                self._health(p),
                self._progress(p),
                day_label(p.end, t) if p.end else "–",
                p.owner or "–",
                (p.standing.risks.strip() if p.standing else "") or "–",
            ]
            for p in flagged
        ]
        self._tables(
            t("2a. Roadmap {year}: late or at risk", year=self.previous),
            columns,
            rows,
            empty=t("Nothing is late or at risk."),
            alert=[p.end is not None and p.end < data.as_of_day for p in flagged],
            note=t("Red: past its end date."),
            points=SMALL_POINTS,
        )

    def totals_by_state(self) -> None:
        t, frame, data = self.t, self.b.frame, self.data
        totals = state_totals(data.follow_up_projects)
        slide = self.b.slide(t("2a. Roadmap {year}: totals by state", year=self.previous))
        money = data.shows_money
        columns = [
            Column(t("State"), 2.0),
            Column(t("Projects"), 1.2, numeric=True),
            *(
                [
                    Column(t("Budget"), 1.6, numeric=True),
                    Column(t("Spent"), 1.6, numeric=True),
                    Column(t("Forecast"), 1.6, numeric=True),
                ]
                if money
                else []
            ),
        ]
        rows = [
            [
                t(STATE[state]),
                t.number(total.count),
                *(
                    [t.money(total.planned), t.money(total.spent), t.money(total.forecast)]
                    if money
                    else []
                ),
            ]
            for state, total in totals.items()
        ]
        all_ = StateTotal.sum(totals.values())
        rows.append(
            [
                t("Total"),
                t.number(all_.count),
                *(
                    [t.money(all_.planned), t.money(all_.spent), t.money(all_.forecast)]
                    if money
                    else []
                ),
            ]
        )
        width = frame.width * 11 // 20
        self.b.table(slide, columns, rows, frame.top, TABLE_POINTS, width=width, total_row=True)
        gap = frame.width // 30
        bar_chart(
            slide,
            [t(STATE[state]) for state in totals],
            [(t("Projects"), [total.count for total in totals.values()], None)],
            (frame.left + width + gap, frame.top, frame.width - width - gap, frame.height),
        )
        self._done(slide)

    # -- 2b. completed --------------------------------------------------------------------

    def completed(self) -> None:
        t, data = self.t, self.data
        money = data.shows_money
        columns = [
            Column(t("Project"), 2.6),
            Column(t("Impact (1–5)"), 1.3, numeric=True),
            Column(t("Impact"), 5.0, max_lines=5),
            *(
                [
                    Column(t("One-time cost"), 1.4, numeric=True),
                    Column(t("Cost per year"), 1.4, numeric=True),
                    Column(t("Funding"), 1.5),
                    Column(t("Savings per year"), 1.4, numeric=True),
                ]
                if money
                else []
            ),
        ]
        rows = [
            [
                f"{p.code} {self._name(p)}",
                t.number(p.impact_score) if p.impact_score else "–",
                self.texts.pick(p.impacts),
                *(
                    [
                        t.money(p.one_time_cents),
                        t.money(p.recurring_cents),
                        t(FUNDING[str(p.funding)]),
                        t.money(p.savings_cents),
                    ]
                    if money
                    else []
                ),
            ]
            for p in data.completed
        ]
        self._tables(
            t("2b. Completed projects: impacts and costs"),
            columns,
            rows,
            empty=t("No project of roadmap {year} is completed.", year=self.previous),
            points=SMALL_POINTS,
        )

    # -- budget ---------------------------------------------------------------------------

    def budget(self, year: int, lines: Sequence[BudgetLineView]) -> None:
        t, frame = self.t, self.b.frame
        title = t("Budget {year} by line: planned, actual and forecast", year=year)
        note = t(
            "Actuals as entered; forecast: actual plus what the line's ongoing projects still expect."
        )
        if not lines:
            slide = self.b.slide(title)
            self.b.text(
                slide,
                t("No budget lines for {year}.", year=year),
                frame.left,
                frame.top,
                frame.width,
                emu(40),
                14,
            )
            self._done(slide)
            return
        slide = self.b.slide(title)
        columns = [
            Column(t("Budget line"), 2.6),
            Column(t.context("budget", "Planned"), 1.5, numeric=True),
            Column(t("Actual"), 1.5, numeric=True),
            Column(t("Forecast"), 1.5, numeric=True),
            Column(t("Variance"), 1.5, numeric=True),
        ]
        rows = [
            [
                self.texts.pick(line.names),
                t.money(line.planned_cents),
                t.money(line.actual_cents),
                t.money(line.forecast_cents),
                t.money(line.variance_cents),
            ]
            for line in lines
        ]
        planned = sum(line.planned_cents for line in lines)
        actual = sum(line.actual_cents for line in lines)
        forecast = sum(line.forecast_cents for line in lines)
        rows.append(
            [
                t("Total"),
                t.money(planned),
                t.money(actual),
                t.money(forecast),
                t.money(planned - forecast),
            ]
        )
        alert = [i for i, line in enumerate(lines) if line.variance_cents < 0]
        table_height = frame.height * 9 // 20
        bottom = self.b.table(
            slide, columns, rows, frame.top, TABLE_POINTS, alert_rows=alert, total_row=True
        )
        chart_top = max(bottom, frame.top + table_height) + emu(6)
        bar_chart(
            slide,
            [self.texts.pick(line.names) for line in lines],
            [
                (
                    t.context("budget", "Planned"),
                    [_eur(line.planned_cents) for line in lines],
                    None,
                ),
                (t("Actual"), [_eur(line.actual_cents) for line in lines], None),
                (t("Forecast"), [_eur(line.forecast_cents) for line in lines], None),
            ],
            (frame.left, chart_top, frame.width, frame.top + frame.height - chart_top),
            number_format='#,##0 "€"',
            labels=False,
            points=10,
        )
        self._done(slide, note + (" " + t("Red: forecast over plan.") if alert else ""))

    # -- 3. the roadmap for approval -----------------------------------------------------

    def proposal_projects(self) -> None:
        t, data = self.t, self.data
        columns = [
            Column(t("Code"), 1.0),
            Column(t("Project"), 3.4),
            Column(t("Theme"), 0.8),
            Column(t("State"), 1.2),
            Column(t("Level"), 2.0),
            Column(t("Need"), 1.7),
            Column(t("Long-term benefit"), 1.6),
            Column(t("Responsible director"), 2.4),
        ]
        rows = [
            [
                p.code,
                self._name(p),
                str(p.theme) if p.theme else "–",
                t(STATE[str(p.state)]),
                t(LEVEL[str(p.level)]),
                t(NEED[str(p.need_source)]),
                t(BENEFIT[str(p.benefit)]),
                self.texts.pick(p.director) if p.director else "–",
            ]
            for p in data.proposal_projects
        ]
        self._tables(
            t("3. Roadmap {year}: projects", year=data.year),
            columns,
            rows,
            empty=t("Roadmap {year} has no projects yet.", year=data.year),
            points=SMALL_POINTS,
        )

    def proposal_analysis(self) -> None:
        t, frame, data = self.t, self.b.frame, self.data
        projects = data.proposal_projects
        gap = frame.width // 30
        half = (frame.width - gap) // 2
        slide = self.b.slide(
            t("3. Roadmap {year}: where the need comes from, and long-term benefit", year=data.year)
        )
        need = Counter(str(p.need_source) for p in projects)
        bar_chart(
            slide,
            [t(NEED[k]) for k in NEED],
            [(t("Projects"), [need[k] for k in NEED], None)],
            (frame.left, frame.top, half, frame.height),
        )
        benefit = Counter(str(p.benefit) for p in projects)
        bar_chart(
            slide,
            [t(BENEFIT[k]) for k in BENEFIT],
            [(t("Projects"), [benefit[k] for k in BENEFIT], None)],
            (frame.left + half + gap, frame.top, half, frame.height),
        )
        self._done(slide)

        slide = self.b.slide(
            t("3. Roadmap {year}: projects by level and responsible director", year=data.year)
        )
        level = Counter(str(p.level) for p in projects)
        bar_chart(
            slide,
            [t(LEVEL[k]) for k in LEVEL],
            [(t("Projects"), [level[k] for k in LEVEL], None)],
            (frame.left, frame.top, half, frame.height),
            kind=XL_CHART_TYPE.BAR_CLUSTERED,
        )
        directors: Counter[str] = Counter(
            self.texts.pick(p.director) if p.director else t("No director") for p in projects
        )
        names = sorted(directors, key=lambda name: (-directors[name], name))
        bar_chart(
            slide,
            names,
            [(t("Projects"), [directors[n] for n in names], None)],
            (frame.left + half + gap, frame.top, half, frame.height),
            kind=XL_CHART_TYPE.BAR_CLUSTERED,
            points=10,
        )
        self._done(slide)

    def matrix(self) -> None:
        t, frame, data = self.t, self.b.frame, self.data
        title = t("3. Roadmap {year}: estimated impact and cost", year=data.year)
        points = matrix_points(data.proposal_projects)
        slide = self.b.slide(title)
        if not points:
            self.b.text(
                slide,
                t("No project of roadmap {year} has both an impact and a cost.", year=data.year),
                frame.left,
                frame.top,
                frame.width,
                emu(40),
                14,
            )
            self._done(slide)
            return
        scatter_chart(
            slide,
            [(p.code, _eur(p.cost_cents), float(p.impact_score or 0)) for p in points],
            t("Projects"),
            (frame.left, frame.top, frame.width, frame.height),
            x_title=t("Cost (€): one-time plus one year's running cost"),
            y_title=t("Estimated impact (1–5)"),
            x_format='#,##0 "€"',
        )
        left_out = len(data.proposal_projects) - len(points)
        note = (
            t("Left out, without an impact or a cost: {count}", count=left_out) if left_out else ""
        )
        self._done(slide, note)

    def decision(self, default_total_cents: int | None) -> None:
        t, frame, data = self.t, self.b.frame, self.data
        slide = self.b.slide(t("Decision proposal"))
        recorded = data.proposal.decision if data.proposal else ("", "", "")
        note = ""
        if any(text.strip() for text in recorded):
            text = self.texts.pick(recorded)
        else:
            count = len(data.proposal_projects)
            if default_total_cents is not None:
                text = t(
                    "The city board approves the Digital Roadmap {year} (projects: {count}) and reserves {amount} for it in the budget for {year}.",
                    year=data.year,
                    count=count,
                    amount=t.money(default_total_cents),
                )
            else:
                text = t(
                    "The city board approves the Digital Roadmap {year} (projects: {count}).",
                    year=data.year,
                    count=count,
                )
            note = t(
                "No decision text is recorded for roadmap {year}: standard wording.", year=data.year
            )
        self.b.text(
            slide, text, frame.left, frame.top, frame.width, frame.height, 24, min_points=12
        )
        self._done(slide, note)

    # -- appendix -------------------------------------------------------------------------

    def appendix(self) -> None:
        t, data = self.t, self.data
        if not data.proposal_projects:
            return
        section = self.b.slide(
            t("Appendix: the projects of roadmap {year}", year=data.year), kind="section"
        )
        self._done(section)
        for project in data.proposal_projects:
            self._project_slide(project)

    def _project_slide(self, p: ProjectView) -> None:
        t, frame, money = self.t, self.b.frame, self.data.shows_money
        slide = self.b.slide(f"{p.code} {self._name(p)}")
        gap = frame.width // 30
        left_width = frame.width * 11 // 20
        director = self.texts.pick(p.director) if p.director else "–"
        pairs = [
            [(t("Health"), self._health(p)), (t("Progress"), self._progress(p))],
            [(t("Responsible director"), director), (t("Owner"), p.owner or "–")],
        ]
        if p.start or p.end:
            pairs.append(
                [
                    (t("Starts"), day_label(p.start, t) if p.start else "–"),
                    (t("Ends"), day_label(p.end, t) if p.end else "–"),
                ]
            )
        if money:
            pairs.append(
                [
                    (t("Budget"), t.money(p.planned_cents)),
                    (t("Spent"), t.money(p.spent_cents)),
                    (t("Forecast"), t.money(p.forecast_cents)),
                ]
            )
        facts = [" · ".join(f"{label}: {value}" for label, value in line) for line in pairs]
        facts_height = emu(4 * 1.2 * 12 + 10)
        self.b.text(
            slide,
            "\n".join(facts),
            frame.left,
            frame.top,
            left_width,
            facts_height,
            12,
            min_points=9,
        )
        top = frame.top + facts_height + emu(4)
        columns = [
            Column(t("Metric"), 3.0),
            Column(t("Baseline"), 1.3, numeric=True),
            Column(t("Target"), 1.3, numeric=True),
            Column(t("Latest"), 1.9, numeric=True),
        ]
        rows = [
            [
                self.texts.pick(m.names),
                self._value(m.baseline, t.unit(m.unit)),
                self._value(m.target, t.unit(m.unit)),
                (
                    f"{self._value(m.latest[1], t.unit(m.unit))} ({month_label(m.latest[0], t)})"
                    if m.latest
                    else "–"
                ),
            ]
            for m in p.metrics[:4]
        ]
        if rows:
            top = self.b.table(slide, columns, rows, top, SMALL_POINTS, width=left_width) + emu(6)
        latest = p.standing
        texts = [
            (t("Achievements"), latest.achievements if latest else ""),
            (t("Next steps"), latest.next_steps if latest else ""),
            (t("Risks"), latest.risks if latest else ""),
        ]
        body = "\n".join(f"{label}: {text.strip() or '–'}" for label, text in texts)
        if latest:
            body = t("Report of {month}", month=month_label(latest.period, t)) + "\n" + body
        self.b.text(
            slide,
            body,
            frame.left,
            top,
            left_width,
            frame.top + frame.height - top,
            11,
            min_points=9,
        )
        chart_left = frame.left + left_width + gap
        chart_width = frame.width - left_width - gap
        if p.history:
            line_chart(
                slide,
                [month_label(s.period, t) for s in p.history],
                [(t("Progress (%)"), [s.progress for s in p.history])],
                (chart_left, frame.top, chart_width, frame.height * 3 // 5),
                maximum=100,
            )
            health_line = " ".join(_HEALTH_MARK[s.health] for s in p.history)
            self.b.text(
                slide,
                t("Health by month, oldest first: {marks}", marks=health_line)
                + "\n"
                + t("● on track  ▲ at risk  ■ off track"),
                chart_left,
                frame.top + frame.height * 3 // 5 + emu(4),
                chart_width,
                frame.height * 2 // 5 - emu(4),
                10,
                min_points=8,
            )
        else:
            self.b.text(
                slide, t("No status reports yet."), chart_left, frame.top, chart_width, emu(30), 12
            )
        self._done(slide)


_HEALTH_MARK = {Health.on_track: "●", Health.at_risk: "▲", Health.off_track: "■"}  # in WGL4


def health_group(project: ProjectView) -> str:
    """Where a project goes in the follow-up chart: its state, or its health when started."""
    if project.state is Lifecycle.completed:
        return "completed"
    if project.state is Lifecycle.started:
        return str(project.health) if project.health else "no_report"
    return str(project.state)  # planned, paused or cancelled: a stopped one is not planned


def late_or_at_risk(projects: Sequence[ProjectView], day: date) -> list[ProjectView]:
    """Started projects off track, at risk, or past their end date: off track first, then
    past their end, then at risk."""

    def rank(p: ProjectView) -> tuple[int, str]:
        if p.health is Health.off_track:
            return (0, p.code)
        if p.end is not None and p.end < day:
            return (1, p.code)
        return (2, p.code)

    flagged = [
        p
        for p in projects
        if p.state is Lifecycle.started
        and (p.health in (Health.at_risk, Health.off_track) or (p.end is not None and p.end < day))
    ]
    return sorted(flagged, key=rank)


class StateTotal:
    def __init__(self, count: int = 0, planned: int = 0, spent: int = 0, forecast: int = 0):
        self.count, self.planned, self.spent, self.forecast = count, planned, spent, forecast

    def add(self, p: ProjectView) -> None:
        self.count += 1
        self.planned += p.planned_cents or 0
        self.spent += p.spent_cents or 0
        self.forecast += p.forecast_cents or 0

    @classmethod
    def sum(cls, totals: object) -> StateTotal:
        result = cls()
        for total in totals:  # type: ignore[attr-defined]
            result.count += total.count
            result.planned += total.planned
            result.spent += total.spent
            result.forecast += total.forecast
        return result


def state_totals(projects: Sequence[ProjectView]) -> dict[str, StateTotal]:
    """Projects, budget, spend and forecast per lifecycle state, in the states' order."""
    totals = {str(state): StateTotal() for state in Lifecycle}
    for p in projects:
        totals[str(p.state)].add(p)
    return {state: total for state, total in totals.items() if total.count}


def matrix_points(projects: Sequence[ProjectView]) -> list[ProjectView]:
    return [p for p in projects if p.impact_score is not None and p.cost_cents is not None]


def funding_label(funding: Funding) -> str:
    return FUNDING[str(funding)]
