"""The deck's template: the city's own (``--template``, ``DECK_TEMPLATE``) or a clean default.

The default is built here, in code, from python-pptx's own blank presentation (part of the
pinned package): widened to 16:9, its placeholders moved to match, its title set in Arial.
No binary of unknown origin ships with the project. ``python -m deck.write_template -o x.pptx``
writes it, as a start for a city's own template.

A city's template is used through its slide master: the deck picks the layouts it needs by
name, in English, Finnish or Swedish as PowerPoint names them, and else by what
placeholders a layout has. Any slides the template file holds are removed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from pptx import Presentation
from pptx.enum.shapes import PP_PLACEHOLDER
from pptx.presentation import Presentation as PresentationType
from pptx.slide import SlideLayout
from pptx.util import Emu, Pt

from deck.measure import FONT_NAME

WIDE: Final = (Emu(12_192_000), Emu(6_858_000))  # 13.333 x 7.5 in
_TITLE_TYPES: Final = (PP_PLACEHOLDER.TITLE, PP_PLACEHOLDER.CENTER_TITLE)
# The layouts the deck uses, by the names PowerPoint gives them in en, fi and sv.
LAYOUT_NAMES: Final = {
    "title": ("Title Slide", "Otsikkodia", "Rubrikbild"),
    "section": ("Section Header", "Osan ylätunniste", "Avsnittsrubrik"),
    "content": ("Title Only", "Vain otsikko", "Endast rubrik"),
}


class TemplateError(ValueError):
    """The template can't be used: not a presentation, or no layout with a title."""


@dataclass(frozen=True, slots=True)
class Frame:
    """Where a content slide's shapes go, in EMU, below the title and above the footer."""

    left: int
    top: int
    width: int
    height: int
    slide_width: int
    slide_height: int


@dataclass(frozen=True, slots=True)
class Template:
    presentation: PresentationType
    title: SlideLayout
    section: SlideLayout
    content: SlideLayout
    frame: Frame
    own_fonts: bool  # the default template: the deck sets Arial on its text itself


def default_presentation() -> PresentationType:
    """python-pptx's blank presentation, widened to 16:9, with Arial titles."""
    presentation = Presentation()
    old_width = int(presentation.slide_width or 9_144_000)
    presentation.slide_width, presentation.slide_height = WIDE
    scale = WIDE[0] / old_width
    master = presentation.slide_master
    owners = (master, *master.slide_layouts)
    # read every position first: a layout's placeholder may inherit the master's
    positions = [
        (shape, shape.left, shape.width) for owner in owners for shape in list(owner.placeholders)
    ]
    for shape, left, width in positions:
        if left is not None and width is not None:
            shape.left, shape.width = Emu(round(left * scale)), Emu(round(width * scale))
    for owner in owners:
        for shape in owner.placeholders:
            if shape.placeholder_format.type in _TITLE_TYPES:
                for paragraph in shape.text_frame.paragraphs:
                    paragraph.font.name = FONT_NAME
            if shape.placeholder_format.type == PP_PLACEHOLDER.TITLE:
                shape.top, shape.height = Emu(274_320), Emu(868_680)  # 0.3 in, 0.95 in
    for shape in master.placeholders:
        if shape.placeholder_format.type in _TITLE_TYPES:
            shape.text_frame.paragraphs[0].font.size = Pt(30)
    return presentation


def _remove_slides(presentation: PresentationType) -> None:
    slide_ids = presentation.slides._sldIdLst  # python-pptx has no delete
    for slide_id in list(slide_ids):
        presentation.part.drop_rel(slide_id.rId)
        slide_ids.remove(slide_id)


def _title_of(layout: SlideLayout) -> object | None:
    placeholders: Any = layout.placeholders  # python-pptx's annotation of __iter__ is wrong
    return next((s for s in placeholders if s.placeholder_format.type in _TITLE_TYPES), None)


def _pick(presentation: PresentationType, role: str) -> SlideLayout | None:
    layouts = list(presentation.slide_layouts)
    wanted = [name.casefold() for name in LAYOUT_NAMES[role]]
    for name in wanted:
        for layout in layouts:
            if layout.name.strip().casefold() == name:
                return layout
    # else by shape: the layout with a title and the fewest other placeholders
    titled = [layout for layout in layouts if _title_of(layout) is not None]
    if not titled:
        return None
    return min(titled, key=lambda layout: len(layout.placeholders))


def load(path: Path | None) -> Template:
    """The city's template at ``path``, or the default; TemplateError if it can't be used."""
    if path is None:
        presentation = default_presentation()
    else:
        try:
            presentation = Presentation(str(path))
        except (OSError, ValueError, KeyError) as error:
            raise TemplateError(f"{path.name}: not a PowerPoint presentation") from error
        except Exception as error:  # a corrupt zip or XML: python-pptx raises what it met
            raise TemplateError(f"{path.name}: not a PowerPoint presentation") from error
        _remove_slides(presentation)
    content = _pick(presentation, "content")
    if content is None:
        raise TemplateError("the template has no slide layout with a title")
    title = _pick(presentation, "title") or content
    section = _pick(presentation, "section") or content
    width = int(presentation.slide_width or WIDE[0])
    height = int(presentation.slide_height or WIDE[1])
    heading = _title_of(content)
    left = int(getattr(heading, "left", None) or width // 24)
    top = int(getattr(heading, "top", None) or 0) + int(getattr(heading, "height", None) or 0)
    top = max(top, height // 10) + height // 60
    bottom = height - height * 55 // 750  # the footer's band: 0.55 in on a 7.5 in slide
    return Template(
        presentation=presentation,
        title=title,
        section=section,
        content=content,
        frame=Frame(left, top, width - 2 * left, bottom - top, width, height),
        own_fonts=path is None,
    )
