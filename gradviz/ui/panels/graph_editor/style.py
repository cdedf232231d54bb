"""Sizes, fonts and colours of the canvas, derived from the app theme.

Colours that carry meaning (the sign of a gradient) use the theme's Okabe–Ito colours, and every
sign is also written as a number, so nothing depends on telling colours apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from PySide6.QtGui import QColor, QFont

from gradviz.ui.theme import Theme

#: Scene units per model position unit. The model's automatic layout spaces layers 170 apart and
#: nodes 90 apart; the canvas draws that 1.5 times larger, so nodes big enough to read on a
#: projector keep clear gaps, with room on every edge for its gradient label.
SCALE = 1.5
NODE_WIDTH = 176.0
HEADER_HEIGHT = 26.0
LINE_HEIGHT = 18.5
PORT_RADIUS = 7.0
GRID = 32.0

#: What the header shows for each kind: the operator as it reads in code.
SYMBOLS = {
    "input": "leaf", "constant": "const", "add": "+", "sub": "−", "mul": "×", "div": "÷",
    "pow": "**", "neg": "−x", "exp": "exp", "log": "log", "sin": "sin", "cos": "cos",
    "tanh": "tanh", "sigmoid": "σ", "relu": "relu", "square": "x²", "detach": "detach",
    "output": "out",
}


def node_height(kind: str) -> float:
    if kind == "output":
        return HEADER_HEIGHT + 2 * LINE_HEIGHT + 10
    if kind in ("input", "constant"):
        return HEADER_HEIGHT + 3 * LINE_HEIGHT + 8
    return HEADER_HEIGHT + 4 * LINE_HEIGHT + 8


@lru_cache(maxsize=256)
def font(pixels: float, bold: bool = False, mono: bool = False) -> QFont:
    """A font of ``pixels`` pixels (cached: painting asks for the same few fonts all the time;
    callers copy before changing one)."""
    f = QFont("DejaVu Sans Mono" if mono else "DejaVu Sans")
    f.setPixelSize(max(1, round(pixels)))
    f.setBold(bold)
    return f


@dataclass(frozen=True)
class CanvasStyle:
    """Every colour the canvas paints with, for one theme."""

    background: QColor
    grid_minor: QColor
    grid_major: QColor
    node_fill: QColor
    node_dim: QColor
    node_border: QColor
    text: QColor
    muted: QColor
    accent: QColor
    header_leaf: QColor
    header_op: QColor
    header_const: QColor
    header_output: QColor
    header_text: QColor
    positive: QColor
    negative: QColor
    idle_edge: QColor
    lit: QColor
    ok_port: QColor
    error: QColor
    label_fill: QColor


def canvas_style(theme: Theme) -> CanvasStyle:
    dark = theme.name == "dark"
    c = QColor
    return CanvasStyle(
        background=c("#1A1B1E" if dark else "#FBFBF9"),
        grid_minor=c("#26272B" if dark else "#EDEDEA"),
        grid_major=c("#32343A" if dark else "#DCDCD7"),
        node_fill=c("#2C2E33" if dark else "#FFFFFF"),
        node_dim=c("#232428" if dark else "#F0F0EE"),
        node_border=c("#C8C8C8" if dark else "#3A3A3A"),
        text=c(theme.text),
        muted=c(theme.muted),
        accent=c(theme.accent),
        header_leaf=c("#1F5F8B" if dark else "#0B5C8E"),
        header_op=c("#4A4D55" if dark else "#3D3D3D"),
        header_const=c("#5B5B5B" if dark else "#6E6E6E"),
        header_output=c("#0E6E53" if dark else "#00694E"),
        header_text=c("#FFFFFF"),
        positive=c(theme.positive),
        negative=c(theme.negative),
        idle_edge=c("#8A8D93" if dark else "#8C8C8C"),
        lit=c("#CC79A7"),  # Okabe–Ito reddish purple: apart from both gradient signs
        ok_port=c(theme.neutral),
        error=c(theme.error),
        label_fill=c("#2C2E33" if dark else "#FFFFFF"),
    )


def sign_colour(style: CanvasStyle, sign: int) -> QColor:
    if sign > 0:
        return style.positive
    if sign < 0:
        return style.negative
    return style.text
