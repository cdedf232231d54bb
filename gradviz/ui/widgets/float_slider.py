"""A labelled slider for a float (linear or logarithmic scale) with its value shown beside it."""

from __future__ import annotations

import math

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSlider, QWidget

from gradviz.core.numbers import fmt


class QtFloatSlider(QWidget):
    """``[label] ----o---- value``. Emits :attr:`value_changed` only when the *user* moves it;
    :meth:`set_value` (for model → view updates) is silent, so a model write never echoes back.

    Parameters
    ----------
    label
        Text before the slider (e.g. "x"); also the inner slider's accessible name.
    lo, hi
        The range; with ``log=True`` both must be positive and the slider moves in decades.
        A slider bound to a model field gets its range from the field's ``Setting`` instead.
    steps
        Number of slider positions.
    """

    value_changed = Signal(float)

    def __init__(self, label: str, lo: float = 0.0, hi: float = 1.0, steps: int = 1000,
                 log: bool = False,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.log = log
        self.steps = steps
        self.lo, self.hi = lo, hi
        self._value = lo
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.label = QLabel(label)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, steps)
        self.slider.setPageStep(max(1, steps // 20))
        self.value_label = QLabel("")
        self.value_label.setMinimumWidth(70)
        layout.addWidget(self.label)
        layout.addWidget(self.slider, 1)
        layout.addWidget(self.value_label)
        self.slider.setAccessibleName(label)
        self.slider.valueChanged.connect(self._on_slider_moved)

    def setAccessibleName(self, name: str) -> None:  # noqa: N802 - Qt's name
        """Name the inner slider too: it is what keyboard and screen-reader users land on."""
        super().setAccessibleName(name)
        self.slider.setAccessibleName(name)

    def setAccessibleDescription(self, text: str) -> None:  # noqa: N802 - Qt's name
        super().setAccessibleDescription(text)
        self.slider.setAccessibleDescription(text)

    def set_range(self, lo: float, hi: float) -> None:
        if (lo, hi) == (self.lo, self.hi):
            return
        self.lo, self.hi = lo, hi
        self.set_value(self._value)

    def _to_pos(self, v: float) -> int:
        if self.log:
            a, b, v = math.log10(self.lo), math.log10(self.hi), math.log10(max(v, self.lo))
        else:
            a, b = self.lo, self.hi
        t = (v - a) / (b - a) if b != a else 0.0
        return round(min(max(t, 0.0), 1.0) * self.steps)

    def _from_pos(self, pos: int) -> float:
        t = pos / self.steps
        if self.log:
            return 10 ** (math.log10(self.lo) + t * (math.log10(self.hi) - math.log10(self.lo)))
        return self.lo + t * (self.hi - self.lo)

    def value(self) -> float:
        return self._value

    def set_value(self, v: float) -> None:
        """Show ``v`` without emitting :attr:`value_changed`."""
        self._value = float(v)
        self.value_label.setText(fmt(v, 4))
        blocked = self.slider.blockSignals(True)
        self.slider.setValue(self._to_pos(v))
        self.slider.blockSignals(blocked)

    def _on_slider_moved(self, pos: int) -> None:
        v = self._from_pos(pos)
        # Round to what the slider can resolve, so 0.4 shows as 0.4 and not 0.40000000000000036.
        span = abs(self.hi - self.lo) / self.steps if not self.log else v * 1e-3
        digits = max(0, -math.floor(math.log10(span))) + 1 if span > 0 else 6
        v = round(v, digits)
        self._value = v
        self.value_label.setText(fmt(v, 4))
        self.value_changed.emit(v)
