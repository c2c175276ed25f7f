"""Draw the Teams app icons: ``color.png`` (192x192) and ``outline.png`` (32x32).

The motif is a switchback roadmap: a road that winds up the icon in three legs,
with milestone dots along it and a flag at the goal.

Both icons are drawn at 4x their size and downscaled with LANCZOS, which gives
clean anti-aliased edges. Run ``python -m manifest.draw_icons`` to redraw them
into this folder; the PNGs are committed, so the build never needs Pillow.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from pathlib import Path

from PIL import Image, ImageDraw

HERE = Path(__file__).resolve().parent
SCALE = 4

COLOR_SIZE = 192
OUTLINE_SIZE = 32

ACCENT = (11, 95, 165)  # #0B5FA5, the manifest's accentColor
ACCENT_LIGHT = (28, 124, 204)
WHITE = (255, 255, 255)
ALPHA_NOISE = 24  # alpha below this after downscaling is LANCZOS ringing, not shape

Point = tuple[float, float]


def _lerp(a: int, b: int, t: float) -> int:
    return round(a + (b - a) * t)


def _arc(centre: Point, radius: float, start_deg: float, end_deg: float) -> list[Point]:
    """Points on a circular arc, angles in degrees (0 = east, 90 = south in image space)."""
    steps = 48
    cx, cy = centre
    return [
        (
            cx + radius * math.cos(math.radians(start_deg + (end_deg - start_deg) * i / steps)),
            cy + radius * math.sin(math.radians(start_deg + (end_deg - start_deg) * i / steps)),
        )
        for i in range(steps + 1)
    ]


def _switchback(left: float, right: float, rows: Sequence[float]) -> list[Point]:
    """A road that runs left-to-right on the bottom row and turns back at each end.

    ``rows`` are the y coordinates from the bottom up; the turn between two rows is a
    half circle whose diameter is the row spacing. The road ends on the top row,
    on the side opposite to where that row starts.
    """
    points: list[Point] = []
    going_right = True
    for index, y in enumerate(rows):
        start, end = (left, right) if going_right else (right, left)
        points.extend([(start, y), (end, y)])
        if index + 1 < len(rows):
            next_y = rows[index + 1]
            radius = (y - next_y) / 2
            centre = (end, (y + next_y) / 2)
            # Turn around the end of the row: through east when going right, west when left.
            if going_right:
                points.extend(_arc(centre, radius, 90, -90))
            else:
                points.extend(_arc(centre, radius, 90, 270))
        going_right = not going_right
    return points


def _scaled(points: Sequence[Point], size: float) -> list[Point]:
    return [(x * size, y * size) for x, y in points]


def _stroke(
    draw: ImageDraw.ImageDraw, points: Sequence[Point], width: float, fill: int | tuple[int, ...]
) -> None:
    """A polyline with round joints and round caps.

    Pillow's own ``joint="curve"`` leaves hairline gaps on tight curves, so each
    segment is drawn on its own and every vertex gets a disc of the stroke's width.
    """
    for start, end in itertools.pairwise(points):
        # Pillow rounds a wide line's edges by its direction; draw every segment the
        # same way round so that parallel strokes of one width look the same.
        first, second = sorted((start, end))
        draw.line([first, second], fill=fill, width=round(width))
    for vertex in points:
        _disc(draw, vertex, width / 2, fill)


def _disc(
    draw: ImageDraw.ImageDraw, centre: Point, radius: float, fill: int | tuple[int, ...]
) -> None:
    # Pillow's ellipse box includes its last row and column of pixels.
    x, y = centre
    draw.ellipse(
        (x - radius + 0.5, y - radius + 0.5, x + radius - 0.5, y + radius - 0.5), fill=fill
    )


def _flag(pole_x: float, pole_top: float, flag_width: float, flag_height: float) -> list[Point]:
    """A pennant-with-notch flag shape attached to the right of the pole's top."""
    return [
        (pole_x, pole_top),
        (pole_x + flag_width, pole_top),
        (pole_x + flag_width * 0.72, pole_top + flag_height / 2),
        (pole_x + flag_width, pole_top + flag_height),
        (pole_x, pole_top + flag_height),
    ]


def draw_color(size: int = COLOR_SIZE) -> Image.Image:
    """The full-colour icon: a blue rounded square with a white roadmap."""
    big = size * SCALE
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))

    # Background: a gentle vertical gradient in the accent colour, masked to a rounded square.
    gradient = Image.new("RGBA", (big, big))
    gradient_draw = ImageDraw.Draw(gradient)
    for y in range(big):
        t = y / (big - 1)
        gradient_draw.line(
            [(0, y), (big, y)],
            fill=(
                _lerp(ACCENT_LIGHT[0], ACCENT[0], t),
                _lerp(ACCENT_LIGHT[1], ACCENT[1], t),
                _lerp(ACCENT_LIGHT[2], ACCENT[2], t),
                255,
            ),
        )
    mask = Image.new("L", (big, big), 0)
    ImageDraw.Draw(mask).rounded_rectangle(
        (0, 0, big - 1, big - 1), radius=round(big * 0.22), fill=255
    )
    image.paste(gradient, (0, 0), mask)

    draw = ImageDraw.Draw(image)
    road = _scaled(_switchback(0.30, 0.66, [0.74, 0.555, 0.37]), big)
    road_width = 0.058 * big
    _stroke(draw, road, road_width, WHITE)

    # Start of the road: a solid white dot.
    _disc(draw, road[0], 0.055 * big, WHITE)

    # Milestones: white rings with a blue centre, one on each of the lower rows.
    for centre in ((0.50, 0.74), (0.47, 0.555)):
        scaled = (centre[0] * big, centre[1] * big)
        _disc(draw, scaled, 0.058 * big, WHITE)
        _disc(draw, scaled, 0.028 * big, ACCENT)

    # Goal: a flag where the top row ends.
    pole_x, pole_bottom = road[-1]
    pole_top = 0.18 * big
    _stroke(draw, [(pole_x, pole_bottom), (pole_x, pole_top)], 0.034 * big, WHITE)
    draw.polygon(_flag(pole_x, pole_top, 0.16 * big, 0.11 * big), fill=WHITE)

    return image.resize((size, size), Image.Resampling.LANCZOS)


def draw_outline(size: int = OUTLINE_SIZE) -> Image.Image:
    """The outline icon: the same roadmap in white on a fully transparent background.

    The geometry is laid out in pixels of a 32 px icon: every stroke is 3 px wide
    and centred on a pixel's centre, so the lines stay crisp after downscaling
    instead of blurring over two half-grey pixels.
    """
    big = size * SCALE
    px = big / OUTLINE_SIZE  # one pixel of the final icon, at drawing scale

    def at(points: Sequence[Point]) -> list[Point]:
        # Pillow puts integer coordinates on pixel centres, so the continuous
        # point (x, y) of the final icon is at x * px - 0.5 on the drawing.
        return [(x * px - 0.5, y * px - 0.5) for x, y in points]

    mask = Image.new("L", (big, big), 0)
    draw = ImageDraw.Draw(mask)

    stroke = 3 * px
    rows = [27.5, 18.5, 9.5]
    road = _switchback(7.5, 24.5, rows)
    road[0] = (4.5, rows[0])  # the road starts further left, at the start dot
    road[-1] = (21.5, rows[-1])  # and ends at the flag pole
    _stroke(draw, at(road), stroke, 255)
    _disc(draw, at(road[:1])[0], 3 * px, 255)

    pole_x, pole_bottom = road[-1]
    _stroke(draw, at([(pole_x, pole_bottom), (pole_x, 2.5)]), stroke, 255)
    # A polygon fills the pixels whose centres lie inside it, so its corners are
    # mapped without the half-pixel shift; 8.75 x 5.75 then fills 9 x 6 pixels.
    flag = _flag(pole_x, 1.0, 8.75, 5.75)
    draw.polygon([(x * px, y * px) for x, y in flag], fill=255)

    alpha = mask.resize((size, size), Image.Resampling.LANCZOS)
    # LANCZOS leaves a faint halo (alpha ~17) beside every stroke; drop it so the
    # background stays fully transparent.
    alpha = alpha.point(lambda value: 0 if value < ALPHA_NOISE else value)
    # Every pixel is pure white; only the alpha channel carries the shape.
    icon = Image.new("RGBA", (size, size), (*WHITE, 0))
    icon.putalpha(alpha)
    return icon


def main(out_dir: Path = HERE) -> None:
    draw_color().save(out_dir / "color.png", optimize=True)
    draw_outline().save(out_dir / "outline.png", optimize=True)


if __name__ == "__main__":
    main()
