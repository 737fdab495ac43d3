#!/usr/bin/env python3
"""Draw ChainMall's app icons: a red shopping bag (#d7263d) on white.

Writes, under Public/icons/: icon-192.png and icon-512.png (purpose "any"), maskable-512.png
(the mark kept inside the central safe-zone circle, 40 % of the size in radius, that Android
launchers may crop to), apple-touch-icon.png (180 x 180, iOS rounds the corners itself) and
favicon.svg; the same favicon.svg also at Public/ (pages link /favicon.svg). One geometry, in a 100 x 100 unit box, is used for the PNGs and the SVG so they
cannot drift apart. Run from anywhere: python3 tools/make_icons.py (needs Pillow).
"""
import math
from pathlib import Path

from PIL import Image, ImageDraw

RED = "#d7263d"
WHITE = "#ffffff"
OUT = Path(__file__).resolve().parent.parent / "Public" / "icons"

# The mark, in units of a 100 x 100 box. Its drawn extent is x 18..82, y 16..90.
BODY = (18, 34, 82, 90)            # bag body: a rounded rectangle
BODY_RADIUS = 8
HANDLE = ((50, 34), 14.5, 7)       # centre, centre-line radius, stroke width; upper half circle
GROMMETS = [((35.5, 44), 3.5), ((64.5, 44), 3.5)]
SMILE = ((50, 56), 11.5, 5, 20, 160)  # centre, radius, width, from/to angle (y down, degrees)
CONTENT_CENTRE = (50, 53)          # middle of the drawn extent, put at the canvas centre

SUPERSAMPLE = 4


def draw_png(size: int, mark_fraction: float) -> Image.Image:
    """The mark scaled so the 100-unit box is `mark_fraction` of the canvas, centred."""
    big = size * SUPERSAMPLE
    scale = big * mark_fraction / 100
    ox = big / 2 - CONTENT_CENTRE[0] * scale
    oy = big / 2 - CONTENT_CENTRE[1] * scale

    def p(x, y):
        return (ox + x * scale, oy + y * scale)

    img = Image.new("RGB", (big, big), WHITE)
    d = ImageDraw.Draw(img)

    def stroke_arc(centre, radius, width, start, end, colour):
        # Stamping discs along the arc gives round caps, like stroke-linecap="round" in the SVG.
        steps = max(64, int(abs(end - start) * radius * scale / 20))
        r = width * scale / 2
        for i in range(steps + 1):
            a = math.radians(start + (end - start) * i / steps)
            x, y = p(centre[0] + radius * math.cos(a), centre[1] + radius * math.sin(a))
            d.ellipse((x - r, y - r, x + r, y + r), fill=colour)

    (hc, hr, hw) = HANDLE
    stroke_arc(hc, hr, hw, 180, 360, RED)
    d.rounded_rectangle((*p(BODY[0], BODY[1]), *p(BODY[2], BODY[3])), radius=BODY_RADIUS * scale, fill=RED)
    for (cx, cy), r in GROMMETS:
        x, y = p(cx, cy)
        d.ellipse((x - r * scale, y - r * scale, x + r * scale, y + r * scale), fill=WHITE)
    (sc, sr, sw, s0, s1) = SMILE
    stroke_arc(sc, sr, sw, s0, s1, WHITE)
    return img.resize((size, size), Image.LANCZOS)


def svg() -> str:
    (hc, hr, hw) = HANDLE
    (sc, sr, sw, s0, s1) = SMILE

    def pt(c, r, deg):
        a = math.radians(deg)
        return f"{c[0] + r * math.cos(a):.2f} {c[1] + r * math.sin(a):.2f}"

    x0, y0, x1, y1 = BODY
    # Shift the box so the content is centred like in the PNGs.
    tx, ty = 50 - CONTENT_CENTRE[0], 50 - CONTENT_CENTRE[1]
    grommets = "".join(
        f'<circle cx="{cx}" cy="{cy}" r="{r}" fill="{WHITE}"/>' for (cx, cy), r in GROMMETS
    )
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100">'
        f'<rect width="100" height="100" rx="18" fill="{WHITE}"/>'
        f'<g transform="translate({tx} {ty})">'
        f'<path d="M{pt(hc, hr, 180)}A{hr} {hr} 0 0 1 {pt(hc, hr, 360)}" fill="none" '
        f'stroke="{RED}" stroke-width="{hw}" stroke-linecap="round"/>'
        f'<rect x="{x0}" y="{y0}" width="{x1 - x0}" height="{y1 - y0}" rx="{BODY_RADIUS}" fill="{RED}"/>'
        f"{grommets}"
        f'<path d="M{pt(sc, sr, s0)}A{sr} {sr} 0 0 1 {pt(sc, sr, s1)}" fill="none" '
        f'stroke="{WHITE}" stroke-width="{sw}" stroke-linecap="round"/>'
        "</g></svg>\n"
    )


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    # "any" icons: the mark fills most of the square. Maskable: the farthest drawn point is about
    # 47 units from the content centre, so 0.68 of the canvas keeps it within 0.32 of the size,
    # inside the 0.40 safe-zone radius with room to spare.
    targets = {
        "icon-192.png": (192, 0.86),
        "icon-512.png": (512, 0.86),
        "maskable-512.png": (512, 0.68),
        "apple-touch-icon.png": (180, 0.80),
    }
    for name, (size, fraction) in targets.items():
        draw_png(size, fraction).save(OUT / name, optimize=True)
    for folder in (OUT, OUT.parent):
        (folder / "favicon.svg").write_text(svg(), encoding="utf-8")
    print(f"wrote {len(targets) + 1} icons to {OUT} and favicon.svg to {OUT.parent}")


if __name__ == "__main__":
    main()
