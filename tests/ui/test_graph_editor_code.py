"""The code listing every panel shows (widgets.code_view) and the graph editor's code pane on it."""

from __future__ import annotations

from PySide6.QtGui import QColor, QFont, QGuiApplication
from PySide6.QtWidgets import QMainWindow

from gradviz.graph import load_example
from gradviz.ui.panels.graph_editor.code_pane import QtCodeEditor, QtGraphCodePane
from gradviz.ui.theme import DARK, LIGHT
from gradviz.ui.widgets.code_view import QtCodeView

SNIPPET = ["import torch", "w = torch.tensor(0.5, requires_grad=True)",
           "loss = (w * 2) ** 2  # the forward pass", "loss.backward()", "print(w.grad)"]


def formats_of(view: QtCodeView, row: int):
    return view.document().findBlockByNumber(row).layout().formats()


def test_marked_rows_are_bold_and_the_rest_is_not(qtbot):
    view = QtCodeView(max_lines=8)
    qtbot.addWidget(view)
    view.set_code(SNIPPET, highlight=(3,))
    assert view.highlighted_lines == ("loss.backward()",)
    assert view.lines == tuple(SNIPPET) and view.code() == "\n".join(SNIPPET)
    assert all(r.format.fontWeight() == QFont.Weight.Bold for r in formats_of(view, 3))
    assert formats_of(view, 3)
    assert not any(r.format.fontWeight() == QFont.Weight.Bold for r in formats_of(view, 2))
    # The mark is a full-width band too.
    (band,) = view.extraSelections()
    assert band.cursor.blockNumber() == 3
    view.set_code(SNIPPET, highlight=(0,))
    assert view.highlighted_lines == ("import torch",)
    assert view.extraSelections()[0].cursor.blockNumber() == 0


def test_keywords_take_the_theme_colour(qtbot):
    view = QtCodeView()
    qtbot.addWidget(view)
    view.set_code(SNIPPET)

    def colour_at(row: int, column: int) -> QColor:
        for r in formats_of(view, row):
            if r.start <= column < r.start + r.length:
                return r.format.foreground().color()
        return QColor()

    assert colour_at(0, 0) == QColor(LIGHT.accent)  # "import"
    assert colour_at(2, 25) == QColor(LIGHT.muted)  # the comment
    view.set_theme(DARK)
    assert colour_at(0, 0) == QColor(DARK.accent)


def test_sized_to_its_lines_up_to_max_lines(qtbot):
    view = QtCodeView(max_lines=4)
    qtbot.addWidget(view)
    view.set_code(SNIPPET[:2])
    two = view.height()
    view.set_code(SNIPPET[:4])
    four = view.height()
    view.set_code(SNIPPET * 3)
    assert two < four == view.height()


def test_caption_row_copies_and_a_bare_listing_has_none(qtbot):
    captioned = QtCodeView("What the snippet does.")
    bare = QtCodeView()
    for w in (captioned, bare):
        qtbot.addWidget(w)
        w.resize(500, 300)
        w.show()
    qtbot.waitExposed(captioned)
    assert captioned.copy_button.isVisible() and not bare.copy_button.isVisible()
    # The caption row sits above the text, not over it.
    assert captioned.viewport().geometry().top() >= captioned.bar.geometry().bottom()
    captioned.set_code("x = 1\n")
    captioned.copy_button.click()
    assert QGuiApplication.clipboard().text() == "x = 1\n"
    assert captioned.copied.text() == "copied"
    bare.set_code(SNIPPET)
    bare.copy_all()
    assert QGuiApplication.clipboard().text() == "\n".join(SNIPPET)


def test_graph_code_pane_shows_and_copies_the_graphs_code(qtbot):
    host = QMainWindow()
    qtbot.addWidget(host)
    pane = QtGraphCodePane()
    host.setCentralWidget(pane)
    code = load_example("two_paths").to_code()
    pane.set_code(code)
    assert pane.code() == code and pane.listing.isReadOnly()
    pane.copy_button.click()
    assert QGuiApplication.clipboard().text() == code


def test_the_import_editor_is_the_listing_made_editable(qtbot):
    editor = QtCodeEditor()
    qtbot.addWidget(editor)
    assert isinstance(editor, QtCodeView) and not editor.isReadOnly()
    editor.setPlainText("a = 1\nb = oops\n")
    editor.mark_error_line(2)
    assert editor.textCursor().blockNumber() == 1
    assert editor.extraSelections()[0].cursor.blockNumber() == 1
    editor.mark_error_line(0)
    assert editor.extraSelections() == []
