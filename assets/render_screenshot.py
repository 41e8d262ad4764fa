#!/usr/bin/env python3
"""Render a tmux pane capture (`tmux capture-pane -e -p`) to a PNG.

Used by make_screenshots.py for assets/screenshots/*.png, and by hand:
    tmux capture-pane -e -N -p -t SESSION > /tmp/pane.txt
    python3 assets/render_screenshot.py /tmp/pane.txt /tmp/pane.png
Needs Pillow and the DejaVu Sans Mono font (Debian's fonts-dejavu-core).
"""
import re
import sys

from PIL import Image, ImageDraw, ImageFont

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"
FONT_BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf"
SIZE = 15
DEFAULT_FG = (208, 208, 208)
DEFAULT_BG = (24, 24, 28)
BASIC = [(0, 0, 0), (205, 49, 49), (13, 188, 121), (229, 229, 16), (36, 114, 200), (188, 63, 188), (17, 168, 205), (229, 229, 229)]
BRIGHT = [(102, 102, 102), (241, 76, 76), (35, 209, 139), (245, 245, 67), (59, 142, 234), (214, 112, 214), (41, 184, 219), (255, 255, 255)]
SGR = re.compile(r"\x1b\[([0-9;]*)m")


def xterm256(n):
    if n < 8:
        return BASIC[n]
    if n < 16:
        return BRIGHT[n - 8]
    if n < 232:
        n -= 16
        steps = [0, 95, 135, 175, 215, 255]
        return (steps[n // 36], steps[(n // 6) % 6], steps[n % 6])
    level = 8 + (n - 232) * 10
    return (level, level, level)


def apply(codes, state):
    params = [int(p) if p else 0 for p in codes.split(";")] if codes else [0]
    i = 0
    while i < len(params):
        p = params[i]
        if p == 0:
            state.update(fg=None, bg=None, bold=False, reverse=False)
        elif p == 1:
            state["bold"] = True
        elif p == 7:
            state["reverse"] = True
        elif p == 22:
            state["bold"] = False
        elif p == 27:
            state["reverse"] = False
        elif 30 <= p <= 37:
            state["fg"] = BASIC[p - 30]
        elif 90 <= p <= 97:
            state["fg"] = BRIGHT[p - 90]
        elif 40 <= p <= 47:
            state["bg"] = BASIC[p - 40]
        elif 100 <= p <= 107:
            state["bg"] = BRIGHT[p - 100]
        elif p == 39:
            state["fg"] = None
        elif p == 49:
            state["bg"] = None
        elif p in (38, 48) and i + 1 < len(params):
            key = "fg" if p == 38 else "bg"
            if params[i + 1] == 5 and i + 2 < len(params):
                state[key] = xterm256(params[i + 2])
                i += 2
            elif params[i + 1] == 2 and i + 4 < len(params):
                state[key] = tuple(params[i + 2 : i + 5])
                i += 4
        i += 1


def main(src, dst):
    lines = open(src, encoding="utf-8").read().rstrip("\n").split("\n")
    font = ImageFont.truetype(FONT, SIZE)
    bold = ImageFont.truetype(FONT_BOLD, SIZE)
    cell_w = round(font.getlength("M"))
    cell_h = SIZE + 4
    cols = max(len(SGR.sub("", l)) for l in lines)
    image = Image.new("RGB", (cols * cell_w + 16, len(lines) * cell_h + 16), DEFAULT_BG)
    draw = ImageDraw.Draw(image)
    state = dict(fg=None, bg=None, bold=False, reverse=False)
    for row, line in enumerate(lines):
        col = 0
        for part in re.split(r"(\x1b\[[0-9;]*m)", line):
            match = SGR.fullmatch(part)
            if match:
                apply(match.group(1), state)
                continue
            for ch in part:
                fg = state["fg"] or DEFAULT_FG
                bg = state["bg"] or DEFAULT_BG
                if state["reverse"]:
                    fg, bg = bg, fg
                x, y = 8 + col * cell_w, 8 + row * cell_h
                draw.rectangle([x, y, x + cell_w, y + cell_h], fill=bg)
                draw.text((x, y + 1), ch, font=bold if state["bold"] else font, fill=fg)
                col += 1
    image.save(dst)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
