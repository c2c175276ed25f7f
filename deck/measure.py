"""How much room a text takes: wrapping measured with the font's own metrics (Pillow).

The deck sets its text in Arial. LibreOffice draws Arial with Liberation Sans, whose
advance widths are Arial's, so Liberation Sans measures what both PowerPoint and Impress
draw. Where it is missing, DejaVu Sans (wider) measures on the safe side. Lines are
broken as PowerPoint breaks them: at spaces, and inside a word only when the word alone
is wider than the line.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Final

from PIL import ImageFont

FONT_NAME: Final = "Arial"
LINE_SPACING: Final = 1.2  # a line's height, in font sizes (single spacing, with leading)
EMU_PER_POINT: Final = 12_700
_FONT_DIRS: Final = (
    Path("/usr/share/fonts/truetype/liberation2"),
    Path("/usr/share/fonts/truetype/liberation"),
)
_FALLBACK: Final = Path("/usr/share/fonts/truetype/dejavu")
_SCALE: Final = 10  # measure at 10x the point size: whole pixels are then 0.1 pt


@cache
def _font(bold: bool, points: float) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    name = "LiberationSans-Bold.ttf" if bold else "LiberationSans-Regular.ttf"
    size = round(points * _SCALE)
    for folder in _FONT_DIRS:
        if (folder / name).exists():
            return ImageFont.truetype(str(folder / name), size)
    fallback = _FALLBACK / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf")
    if fallback.exists():
        return ImageFont.truetype(str(fallback), size)
    return ImageFont.load_default(size)


@cache
def text_width(text: str, points: float, bold: bool = False) -> float:
    """The advance width of one line of ``text``, in points."""
    return float(_font(bold, points).getlength(text)) / _SCALE


def wrap(text: str, width_pt: float, points: float, bold: bool = False) -> list[str]:
    """``text`` broken into lines no wider than ``width_pt``; paragraphs at newlines.

    A line's width is the sum of its words' widths and the spaces between them: each word
    is measured once (with its own kerning), so a long text costs one measurement a word.
    """
    space = text_width(" ", points, bold)
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line: list[str] = []
        used = 0.0
        for word in paragraph.split(" "):
            width = text_width(word, points, bold)
            if not line and width <= width_pt:
                line, used = [word], width
                continue
            if line and used + space + width <= width_pt:
                line.append(word)
                used += space + width
                continue
            if line:
                lines.append(" ".join(line))
            while width > width_pt and len(word) > 1:
                low, high = 1, len(word) - 1  # the longest head that fits: a binary search
                while low < high:
                    middle = (low + high + 1) // 2
                    if text_width(word[:middle], points, bold) <= width_pt:
                        low = middle
                    else:
                        high = middle - 1
                cut = low
                lines.append(word[:cut])
                word = word[cut:]
                width = text_width(word, points, bold)
            line, used = [word], width
        lines.append(" ".join(line))
    return lines


def height(lines: int, points: float) -> float:
    """The height of ``lines`` lines, in points."""
    return lines * points * LINE_SPACING


def clip(text: str, width_pt: float, points: float, max_lines: int, bold: bool = False) -> str:
    """``text`` cut to ``max_lines`` lines, ending with an ellipsis where it was cut."""
    lines = wrap(text, width_pt, points, bold)
    if len(lines) <= max_lines:
        return text
    kept = lines[:max_lines]
    last = kept[-1]
    while last and text_width(last + "…", points, bold) > width_pt:
        last = last[:-1].rstrip()
    kept[-1] = last + "…"
    return " ".join(kept)
