"""Float sliders whose positions mean something: whole multiples of a step, or a fixed number of
positions per decade. Their bounds come from the bound setting (``bind`` calls
:meth:`~gradviz.ui.widgets.float_slider.QtFloatSlider.set_range`), never from the widget."""

from __future__ import annotations

import math

from PySide6.QtWidgets import QWidget

from gradviz.ui.widgets.float_slider import QtFloatSlider


class _TickSlider(QtFloatSlider):
    """A :class:`QtFloatSlider` that sizes its positions when the range is set and names its
    inner slider too (the part a keyboard or a screen reader actually reaches)."""

    def set_range(self, lo: float, hi: float) -> None:
        first, last = self._positions(lo, hi)
        self.steps = max(1, last - first)
        self.slider.setRange(first, last)
        self.slider.setPageStep(max(1, self.steps // 20))
        super().set_range(lo, hi)

    def _positions(self, lo: float, hi: float) -> tuple[int, int]:
        raise NotImplementedError

    def setAccessibleName(self, name: str) -> None:  # noqa: N802 - Qt's name
        super().setAccessibleName(name)
        self.slider.setAccessibleName(name)


class QtStepSlider(_TickSlider):
    """Position ``n`` is the value ``n · step`` (δ = 0.01 at position 1 for ``step=0.01``).

    Parameters
    ----------
    label
        Text before the slider.
    step
        The value of one position: what one arrow-key press changes.
    """

    def __init__(self, label: str, step: float, parent: QWidget | None = None) -> None:
        super().__init__(label, 0.0, step, steps=1, parent=parent)
        self.step = step

    def _positions(self, lo: float, hi: float) -> tuple[int, int]:
        return round(lo / self.step), round(hi / self.step)

    def _to_pos(self, v: float) -> int:
        return round(min(max(v, self.lo), self.hi) / self.step)

    def _from_pos(self, pos: int) -> float:
        return pos * self.step


class QtDecadeSlider(_TickSlider):
    """A logarithmic slider with ``per_decade`` positions per factor of ten, position 0 at the
    low bound (learning rates, speeds)."""

    def __init__(self, label: str, per_decade: int = 100, parent: QWidget | None = None) -> None:
        super().__init__(label, 1.0, 10.0, steps=per_decade, log=True, parent=parent)
        self.per_decade = per_decade

    def _positions(self, lo: float, hi: float) -> tuple[int, int]:
        return 0, round(math.log10(hi / lo) * self.per_decade)
