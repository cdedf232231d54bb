"""Bind a control to one field of a sub-model in one call (the idea of glue's echo autoconnect).

``bind(widget, model, field)`` reads the bounds, step and choices from the field's
:class:`~gradviz.core.model.Setting`, so no range is typed in a widget; a user edit becomes a
merging :class:`~gradviz.core.commands.SetFieldCommand` pushed through the window's undo stack (a
slider drag is one undo step); a model change is shown in the widget with its signals blocked, so
it never echoes back; and the control gets its accessible name and tooltip from the same
declaration, so screen readers and keyboard users hear what it is.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QSignalBlocker
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSlider,
    QComboBox,
    QDoubleSpinBox,
    QLineEdit,
    QSpinBox,
    QWidget,
)

from gradviz.core.commands import SetFieldCommand
from gradviz.core.model import Setting, setting_of
from gradviz.ui.registry import _push_without_stack
from gradviz.ui.widgets.float_slider import QtFloatSlider

Push = Callable[..., bool]
Listen = Callable[[Any, Callable], None]


class Binding:
    """One widget ↔ one model field. :meth:`sync` shows the model's value; :meth:`disconnect`
    detaches from the model (panels do it in ``teardown`` through their ``listen`` list)."""

    def __init__(self, widget: QWidget, model: Any, field: str, setting: Setting,
                 push: Push, adapter: _Adapter) -> None:
        self.widget = widget
        self.model = model
        self.field = field
        self.setting = setting
        self.push = push
        self.adapter = adapter
        self.label = setting.label or field.replace("_", " ")

    def sync(self, *_: Any) -> None:
        with QSignalBlocker(self.widget):
            self.adapter.show(self.widget, getattr(self.model, self.field))

    def commit(self, value: Any) -> None:
        """The user changed the widget: one undoable, merging command; a refused value puts the
        widget back to what the model holds."""
        if value == getattr(self.model, self.field):
            return
        text = f"{value:.4g}" if isinstance(value, float) else f"{value}"
        command = SetFieldCommand(self.model, self.field, value,
                                  label=f"Set {self.label} = {text}")
        try:
            self.push(command)
        finally:
            if getattr(self.model, self.field) != value:
                self.sync()


class _Adapter:
    """How one kind of widget is configured from a Setting, shown, and read."""

    def configure(self, widget: Any, setting: Setting) -> None:
        """Ranges, steps and choices from the declaration."""

    def show(self, widget: Any, value: Any) -> None:
        raise NotImplementedError

    def connect(self, widget: Any, commit: Callable[[Any], None]) -> None:
        raise NotImplementedError


class _DoubleSpin(_Adapter):
    def configure(self, widget: QDoubleSpinBox, s: Setting) -> None:
        if s.decimals is not None:
            widget.setDecimals(s.decimals)
        widget.setRange(-math.inf if s.lo is None else s.lo, math.inf if s.hi is None else s.hi)
        if s.step is not None:
            widget.setSingleStep(s.step)

    def show(self, widget: QDoubleSpinBox, value: Any) -> None:
        widget.setValue(float(value))

    def connect(self, widget: QDoubleSpinBox, commit: Callable[[Any], None]) -> None:
        widget.valueChanged.connect(lambda v: commit(float(v)))


class _IntControl(_Adapter):
    """QSpinBox and QSlider: whole numbers."""

    def configure(self, widget: QSpinBox | QAbstractSlider, s: Setting) -> None:
        lo = -(2**31) if s.lo is None else math.ceil(s.lo)
        hi = 2**31 - 1 if s.hi is None else math.floor(s.hi)
        widget.setRange(int(lo), int(hi))
        if s.step is not None:
            widget.setSingleStep(int(s.step))

    def show(self, widget: Any, value: Any) -> None:
        widget.setValue(int(value))

    def connect(self, widget: Any, commit: Callable[[Any], None]) -> None:
        widget.valueChanged.connect(lambda v: commit(int(v)))


class _FloatSlider(_Adapter):
    def configure(self, widget: QtFloatSlider, s: Setting) -> None:
        widget.log = s.log
        if s.lo is not None and s.hi is not None:
            widget.set_range(s.lo, s.hi)

    def show(self, widget: QtFloatSlider, value: Any) -> None:
        widget.set_value(float(value))

    def connect(self, widget: QtFloatSlider, commit: Callable[[Any], None]) -> None:
        widget.value_changed.connect(lambda v: commit(float(v)))


class _Check(_Adapter):
    def show(self, widget: QAbstractButton, value: Any) -> None:
        widget.setChecked(bool(value))

    def connect(self, widget: QAbstractButton, commit: Callable[[Any], None]) -> None:
        widget.toggled.connect(lambda on: commit(bool(on)))


class _Combo(_Adapter):
    """Items are the setting's choices (shown with ``choice_labels`` where given)."""

    def configure(self, widget: QComboBox, s: Setting) -> None:
        if s.choices is None:
            raise ValueError("a combo box binds to a setting with choices")
        labels = s.choice_labels or tuple(str(c) for c in s.choices)
        if widget.count() == 0:
            for choice, text in zip(s.choices, labels, strict=True):
                widget.addItem(text, choice)

    def show(self, widget: QComboBox, value: Any) -> None:
        widget.setCurrentIndex(widget.findData(value))

    def connect(self, widget: QComboBox, commit: Callable[[Any], None]) -> None:
        widget.currentIndexChanged.connect(lambda i: commit(widget.itemData(i)))


class _Text(_Adapter):
    """A line edit commits when editing finishes (Enter or focus out), not on every key."""

    def configure(self, widget: QLineEdit, s: Setting) -> None:
        widget.setMaxLength(s.max_len)

    def show(self, widget: QLineEdit, value: Any) -> None:
        if widget.text() != value:
            widget.setText(str(value))

    def connect(self, widget: QLineEdit, commit: Callable[[Any], None]) -> None:
        widget.editingFinished.connect(lambda: commit(widget.text()))


def _adapter_for(widget: QWidget) -> _Adapter:
    # Order matters: QSpinBox and QDoubleSpinBox share a base; a QAbstractButton must be checkable.
    if isinstance(widget, QtFloatSlider):
        return _FloatSlider()
    if isinstance(widget, QDoubleSpinBox):
        return _DoubleSpin()
    if isinstance(widget, QSpinBox | QAbstractSlider):
        return _IntControl()
    if isinstance(widget, QComboBox):
        return _Combo()
    if isinstance(widget, QLineEdit):
        return _Text()
    if isinstance(widget, QAbstractButton) and widget.isCheckable():
        return _Check()
    raise TypeError(f"bind() does not know how to bind a {type(widget).__name__}")


def bind(widget: QWidget, model: Any, field: str, *, push: Push | None = None,
         listen: Listen | None = None) -> Binding:
    """Bind ``widget`` to ``model.<field>`` both ways and return the :class:`Binding`.

    Parameters
    ----------
    widget
        A QDoubleSpinBox, QSpinBox, QSlider, QtFloatSlider, checkable button, QComboBox or
        QLineEdit.
    model
        A sub-model whose ``events.<field>`` signal fires on change.
    field
        The field's name; its :class:`~gradviz.core.model.Setting` gives bounds, choices, step,
        the accessible name (``label``) and the tooltip (``doc``).
    push
        Runs a command (the panel context's ``push``: the window's undo stack); without it the
        command simply runs.
    listen
        Connects a model signal so the caller can disconnect it later (``QtPanel.listen``).
    """
    setting = setting_of(model, field)
    adapter = _adapter_for(widget)
    binding = Binding(widget, model, field, setting, push or _push_without_stack, adapter)
    with QSignalBlocker(widget):
        adapter.configure(widget, setting)
    widget.setAccessibleName(binding.label)
    if setting.doc:
        widget.setToolTip(setting.doc)
        widget.setAccessibleDescription(setting.doc)
    binding.sync()
    adapter.connect(widget, binding.commit)
    signal = getattr(model.events, field)
    if listen is not None:
        listen(signal, binding.sync)
    else:
        signal.connect(binding.sync)
    return binding
