"""What "fits" means, measured on a live window (used by the layout-fit worker).

- the dock's scroll area (``scroll-<panel>``) of every shown panel has both scroll ranges at 0;
- no visible widget is smaller than the minimum its layout promises it: ``minimumSizeHint()``
  (or its ``sizeHint()`` where that is smaller), unless the widget says otherwise on purpose (an explicit ``minimumSize``, an ``Ignored`` size
  policy); a word-wrapped label gets at least ``heightForWidth`` of its width. What lives inside
  another scroll area (lists, tables, code views, plots, the canvas) may scroll its own content;
- a readout floating over the visualization is not taller than it (nothing of it cut) and
  covers at most ``OVERLAY_COVER`` of its area (readouts that would cover more fold away);
- the caption is never cut (and takes at most 2 lines at ×1.5 on a 1280×720 screen);
- the window is no larger than its screen;
- in presentation, no column a table shows is narrower than its header's or a cell's text
  (measured with the view's font metrics, plus the style's margins) or runs past the table's
  right edge: an elided number or name, or a cut header, is not read from the back row (a
  column the presenter drops is hidden, not shown narrow);
- in presentation, text on a graph canvas is at least ``MIN_CANVAS_PX`` pixels tall on screen;
- in presentation, the visualization (the first section on screen of those a panel's presenter
  shows: the declaration names it first) covers at
  least ``ONE_PANEL_AREA`` of the screen in a one-panel scene and ``TWO_PANEL_WIDTH`` of its
  width in a two-panel scene.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QRect, QSize, Qt
from PySide6.QtGui import QFontMetricsF
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QAbstractSpinBox,
    QApplication,
    QGraphicsSimpleTextItem,
    QGraphicsTextItem,
    QGraphicsView,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QStyle,
    QTableView,
    QWidget,
)

MIN_CANVAS_PX = 18.0
CAPTION_LINES = 2
ONE_PANEL_AREA = 0.65
TWO_PANEL_WIDTH = 0.40
#: The most of its visualization's area a floating readout box may cover.
OVERLAY_COVER = 0.35


def screen_rect(window) -> QRect:
    return window.screen().geometry()


def describe(widget: QWidget) -> str:
    """``panel-trap/section-plot/QPushButton 'Step'``: named ancestors, class, text."""
    names = []
    w = widget.parentWidget()
    while w is not None:
        if w.objectName().startswith(("panel-", "section-")):
            names.append(w.objectName())
        w = w.parentWidget()
    text = ""
    for getter in ("text", "title", "accessibleName"):
        value = getattr(widget, getter, None)
        if callable(value) and isinstance(value(), str) and value():
            text = f" {value()[:30]!r}"
            break
    own = widget.objectName()
    label = f"{type(widget).__name__}{f'#{own}' if own else ''}{text}"
    return "/".join([*reversed(names), label])


def _promised_minimum(w: QWidget) -> QSize:
    """The size below which the widget is squeezed (0 where it allows any size)."""
    # A widget at its preferred size is not squeezed, even where Qt's minimum hint is larger
    # (a tab bar's minimum counts scroll buttons it does not show when its tabs fit).
    hint = w.minimumSizeHint().boundedTo(w.sizeHint()) if w.sizeHint().isValid() \
        else w.minimumSizeHint()
    policy = w.sizePolicy()
    width, height = max(0, hint.width()), max(0, hint.height())
    if policy.horizontalPolicy() == QSizePolicy.Policy.Ignored:
        width = 0
    if policy.verticalPolicy() == QSizePolicy.Policy.Ignored:
        height = 0
    explicit = w.minimumSize()
    if explicit.width() > 0:
        width = explicit.width()
    if explicit.height() > 0:
        height = explicit.height()
    if isinstance(w, QLabel) and w.wordWrap() and w.width() > 0:
        # A wrapped label's minimum hint is its height at some narrow width; what it needs is
        # its height at the width it has.
        height = max(explicit.height(), w.heightForWidth(w.width()))
    return QSize(width, height)


def _not_ours_to_check(w: QWidget, dock_scroll: QScrollArea) -> bool:
    """Content of a view that scrolls its own (lists, code, plots, the canvas) and the parts
    of a spin box (Qt sizes its line edit inside the frame, a few px under its hint)."""
    parent = w.parentWidget()
    while parent is not None and parent is not dock_scroll:
        if isinstance(parent, QAbstractScrollArea | QAbstractSpinBox):
            return True
        parent = parent.parentWidget()
    return False


def squeezed_widgets(root: QWidget, dock_scroll: QScrollArea) -> list[dict]:
    """Each squeezed widget that is not inside another squeezed one (that one is the news;
    how many inside it are squeezed too goes into the detail)."""
    found: dict[QWidget, dict] = {}
    for w in root.findChildren(QWidget):
        if not w.isVisible() or w.window() is not root.window():
            continue
        if _not_ours_to_check(w, dock_scroll):
            continue
        need = _promised_minimum(w)
        short_w, short_h = need.width() - w.width(), need.height() - w.height()
        if short_w <= 0 and short_h <= 0:
            continue
        outer = next((o for o in found if o.isAncestorOf(w)), None)
        if outer is not None:
            found[outer]["inside"] += 1
            continue
        found[w] = {"widget": describe(w), "what": "smaller than its minimum size",
                    "px": max(short_w, short_h), "inside": 0,
                    "detail": f"{w.width()}×{w.height()} < {need.width()}×{need.height()}"}
    for problem in found.values():
        if problem["inside"]:
            problem["detail"] += f", and {problem['inside']} widget(s) inside it"
        del problem["inside"]
    return list(found.values())


def biggest_sections(panel: QWidget, vertical: bool, count: int = 3) -> str:
    """The visible sections that ask for the most room in one direction: where to look."""
    sizes = []
    for w in panel.findChildren(QWidget):
        if w.objectName().startswith("section-") and w.isVisible():
            hint = w.minimumSizeHint()
            sizes.append((hint.height() if vertical else hint.width(),
                          w.objectName().removeprefix("section-")))
    sizes.sort(reverse=True)
    return ", ".join(f"{name} {px}" for px, name in sizes[:count])


def overlay_problems(panel: QWidget) -> list[dict]:
    """A readout box over the visualization (``presenter-overlay``) taller than the
    visualization it floats over is cut: its last lines are not on screen; one covering more
    than ``OVERLAY_COVER`` of the visualization hides what it reads out."""
    found = []
    for box in panel.findChildren(QWidget, "presenter-overlay"):
        host = box.parentWidget()
        if not box.isVisible() or host is None:
            continue
        if box.geometry().bottom() >= host.height():
            found.append({"widget": describe(box), "what": "readout overlay cut",
                          "px": box.geometry().bottom() + 1 - host.height()})
        seen = box.geometry().intersected(host.rect())
        area = max(1, host.width() * host.height())
        share = seen.width() * seen.height() / area
        if share > OVERLAY_COVER:
            found.append({"widget": describe(box),
                          "what": f"overlay covers more than {OVERLAY_COVER:.0%} of its "
                                  "visualization",
                          "px": round((share - OVERLAY_COVER) * area),
                          "detail": f"{share:.0%} of {host.width()}×{host.height()}; px²"})
    return found


def _column_text_need(view: QTableView, column: int) -> tuple[int, str]:
    """The widest text of ``column`` (header or cell) with the style's margins, and that text."""
    model, header = view.model(), view.horizontalHeader()
    title = str(model.headerData(column, Qt.Orientation.Horizontal) or "")
    style = view.style()
    header_pad = 2 * style.pixelMetric(QStyle.PixelMetric.PM_HeaderMargin, None, header)
    cell_pad = 2 * (style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, view) + 1)
    needs = [(header.fontMetrics().horizontalAdvance(title) + header_pad, title)]
    for row in range(model.rowCount()):
        text = str(model.index(row, column).data() or "")
        needs.append((view.fontMetrics().horizontalAdvance(text) + cell_pad, text))
    return max(needs)


def table_problems(root: QWidget) -> list[dict]:
    """A shown column of a shown table narrower than its text (elided) or past the view's
    right edge (cut)."""
    found = []
    for view in root.findChildren(QTableView):
        if not view.isVisible() or view.model() is None:
            continue
        room = view.viewport().width()
        for column in range(view.model().columnCount()):
            if view.isColumnHidden(column):
                continue  # dropped by the presenter: not shown, so not cut
            need, text = _column_text_need(view, column)
            have = view.columnWidth(column)
            if have < need:
                found.append({"widget": describe(view), "what": "table column elided",
                              "px": need - have, "detail": f"column {column} {text!r}"})
            right = view.columnViewportPosition(column) + have
            if right > room:
                found.append({"widget": describe(view), "what": "table column cut",
                              "px": right - room, "detail": f"column {column}"})
    return found


def scroll_ranges(scroll: QScrollArea) -> list[dict]:
    found = []
    for what, bar in (("vertical", scroll.verticalScrollBar()),
                      ("horizontal", scroll.horizontalScrollBar())):
        if bar.maximum() > 0:
            problem = {"widget": scroll.objectName(), "what": f"{what} scroll range",
                       "px": bar.maximum()}
            room = biggest_sections(scroll.widget(), what == "vertical")
            if room:
                problem["detail"] = f"sections' minimum {'heights' if what == 'vertical' else 'widths'}: {room}"
            found.append(problem)
    return found


def caption_problems(window) -> list[dict]:
    p = window.presentation
    label = p.caption
    if label is None or not label.isVisible():
        return []
    found = []
    need = label.heightForWidth(label.width())
    if need > label.height():
        found.append({"widget": "presentation-caption", "what": "caption cut",
                      "px": need - label.height()})
    m = label.contentsMargins()
    room = QRect(0, 0, label.width() - m.left() - m.right(), 100_000)
    fm = QFontMetricsF(label.font())
    lines = round(fm.boundingRect(room, int(label.alignment()) | 0x1000,  # TextWordWrap
                                  label.text()).height() / fm.lineSpacing())
    screen = screen_rect(window)
    if p.scale == 1.5 and screen.width() <= 1280 and screen.height() <= 720 \
            and lines > CAPTION_LINES:
        found.append({"widget": "presentation-caption", "what": f"caption takes {lines} lines",
                      "px": lines - CAPTION_LINES})
    return found


def canvas_text_pixels(view: QGraphicsView) -> float | None:
    """The smallest on-screen height of text on a canvas: text items by their font; painted
    items by the ``value_text_pixels()`` they report (scene units); None without text."""
    heights = []
    transform = view.viewportTransform()
    for item in view.items():
        if not item.isVisible():
            continue
        scale = abs(item.deviceTransform(transform).m22())
        if isinstance(item, QGraphicsSimpleTextItem | QGraphicsTextItem):
            if (item.text() if isinstance(item, QGraphicsSimpleTextItem)
                    else item.toPlainText()).strip():
                heights.append(QFontMetricsF(item.font()).height() * scale)
        report = getattr(item, "value_text_pixels", None)
        if callable(report):
            heights.append(report() * scale)
    return min(heights) if heights else None


def canvas_problems(panel: QWidget) -> list[dict]:
    import pyqtgraph as pg

    found = []
    for view in panel.findChildren(QGraphicsView):
        if isinstance(view, pg.GraphicsView) or not view.isVisible():
            continue
        px = canvas_text_pixels(view)
        if px is not None and px < MIN_CANVAS_PX:
            found.append({"widget": describe(view), "what": "canvas text too small",
                          "px": round(MIN_CANVAS_PX - px, 1),
                          "detail": f"{px:.1f} px < {MIN_CANVAS_PX:g} px"})
    return found


def visualization_problems(window, names: list[str]) -> list[dict]:
    """Issue 14: the visualization gets most of the screen (only for declared presenters)."""
    if len(names) > 2:
        return []
    screen, found = screen_rect(window), []
    for name in names:
        panel = window.docks[name].panel
        presenter = getattr(panel.spec, "presenter", None) if panel is not None else None
        if presenter is None or not presenter.show:
            continue
        # The first shown section on screen (a panel with tabs shows one page at a time).
        views = [panel.findChild(QWidget, f"section-{n}") for n in presenter.show]
        view = next((v for v in views if v is not None and v.isVisible()), None)
        if view is None:
            found.append({"widget": f"section-{presenter.show[0]}", "px": 0,
                          "what": "visualization not shown"})
            continue
        if len(names) == 1:
            share, need, what = (view.width() * view.height()
                                 / (screen.width() * screen.height())), ONE_PANEL_AREA, "area"
        else:
            share, need, what = view.width() / screen.width(), TWO_PANEL_WIDTH, "width"
        if share < need:
            short = (need - share) * (screen.width() * screen.height() if what == "area"
                                      else screen.width())
            found.append({"widget": describe(view), "px": round(short),
                          "what": f"visualization covers {share:.0%} of the screen's {what}"
                                  f" (< {need:.0%}; px² for area)"})
    return found


def window_problems(window) -> list[dict]:
    screen, frame = screen_rect(window), window.frameGeometry()
    found = []
    for what, have, room in (("wider", frame.width(), screen.width()),
                             ("taller", frame.height(), screen.height())):
        if have > room:
            found.append({"widget": "window", "what": f"window {what} than the screen",
                          "px": have - room})
    return found


def fit_problems(window, names: list[str], presenting: bool) -> list[dict]:
    """Everything that does not fit for the panels ``names`` as the window shows them now."""
    # A label whose text a timer changed a moment ago (the approaches' cost measurement ends)
    # has only posted its layout request: measure the layout Qt is about to show, not the last.
    for _ in range(4):
        QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
    found = window_problems(window)
    if presenting:
        found += caption_problems(window)
        found += visualization_problems(window, [n for n in names if n in window.docks])
    for name in names:
        dock = window.docks.get(name)
        if dock is None or not dock.isVisible():
            found.append({"widget": f"dock-{name}", "what": "panel not shown", "px": 0})
            continue
        scroll = dock.findChild(QScrollArea, f"scroll-{name}")
        if scroll is None:
            continue
        found += scroll_ranges(scroll)
        found += squeezed_widgets(dock, scroll)
        found += overlay_problems(dock)
        if presenting:
            found += canvas_problems(dock)
            found += table_problems(dock)
    return found
