"""The node editor driven with the mouse and keyboard, in a real window with the real undo stack."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication

from gradviz.graph import Graph
from gradviz.ui.panels.graph_editor.items import scene_point
from gradviz.ui.panels.graph_editor.palette import QtPalettePopup
from gradviz.ui.window_common import settle


@pytest.fixture
def editor(window, qtbot):
    # The editor opens on the two-paths example; these tests build their graphs from nothing.
    window.model["graph"].clear()
    window.show_panel("graph")
    panel = window.panel("graph")
    qtbot.waitExposed(panel.view)
    settle(30)
    yield panel
    # Leave a clean stack behind: a stack destroyed while not clean emits cleanChanged from
    # its destructor, and window code listening to it would then run on a dying window.
    window.undo_stack.clear()


@pytest.fixture
def graph(window) -> Graph:
    return window.model["graph"]


def vp(view, scene_pos: QPointF) -> QPoint:
    """A scene point in the canvas viewport's pixels."""
    return view.mapFromScene(scene_pos)


def port_pos(view, node_id: int, port: str | None = None) -> QPoint:
    item = view.nodes[node_id]
    p = item.output if port is None else item.inputs[port]
    return vp(view, p.scenePos())


def hover(view, pos: QPoint) -> None:
    """Move the mouse over the canvas (delivered at once: QTest may drop a bare move)."""
    vpw = view.viewport()
    event = QMouseEvent(QEvent.Type.MouseMove, QPointF(pos), QPointF(vpw.mapToGlobal(pos)),
                        Qt.MouseButton.NoButton, Qt.MouseButton.NoButton,
                        Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(vpw, event)


def add_with_palette(qtbot, view, query: str, where: QPointF) -> int:
    """Move the mouse to ``where`` (scene), press Tab, type ``query``, press Enter."""
    before = set(view.nodes)
    hover(view, vp(view, where))
    assert view._last_mouse == vp(view, where)
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Tab)
    popup = view.popup
    assert isinstance(popup, QtPalettePopup) and popup.isVisible()
    qtbot.keyClicks(popup.search, query)
    qtbot.keyClick(popup.search, Qt.Key.Key_Return)
    settle()
    (new,) = set(view.nodes) - before
    return new


def drag(qtbot, view, start: QPoint, end: QPoint, button=Qt.MouseButton.LeftButton) -> None:
    vpw = view.viewport()
    qtbot.mousePress(vpw, button, pos=start)
    for k in range(1, 6):
        qtbot.mouseMove(vpw, start + (end - start) * (k / 5))
    qtbot.mouseRelease(vpw, button, pos=end)
    settle()


def connect(qtbot, view, src: int, dst: int, port: str) -> None:
    drag(qtbot, view, port_pos(view, src), port_pos(view, dst, port))


def set_value_in_place(qtbot, view, node_id: int, text: str) -> None:
    item = view.nodes[node_id]
    pos = vp(view, item.mapToScene(item.value_rect().center()))
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    editor = view.editor
    assert editor is not None and editor.isVisible()
    editor.selectAll()
    qtbot.keyClicks(editor, text)
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    settle()


def build_two_paths(qtbot, editor) -> dict[str, int]:
    """z = x·y + square(x), built from an empty canvas with the palette and the mouse."""
    view = editor.view
    view.resetTransform()
    view.scale(0.6, 0.6)
    view.centerOn(380, 160)
    settle()
    assert view.viewport().width() > 560 and view.viewport().height() > 300
    ids = {
        "x": add_with_palette(qtbot, view, "input", QPointF(0, 260)),
        "y": add_with_palette(qtbot, view, "input", QPointF(0, 40)),
        "mul": add_with_palette(qtbot, view, "mul", QPointF(260, 60)),
        "square": add_with_palette(qtbot, view, "square", QPointF(260, 260)),
        "add": add_with_palette(qtbot, view, "add", QPointF(520, 160)),
        "out": add_with_palette(qtbot, view, "output", QPointF(760, 160)),
    }
    set_value_in_place(qtbot, view, ids["x"], "2")
    set_value_in_place(qtbot, view, ids["y"], "3")
    connect(qtbot, view, ids["x"], ids["mul"], "a")
    connect(qtbot, view, ids["y"], ids["mul"], "b")
    connect(qtbot, view, ids["x"], ids["square"], "x")
    connect(qtbot, view, ids["mul"], ids["add"], "a")
    connect(qtbot, view, ids["square"], ids["add"], "b")
    connect(qtbot, view, ids["add"], ids["out"], "x")
    settle(20)
    return ids


def test_build_two_paths_with_the_mouse_then_undo_to_empty_and_redo(qtbot, window, editor,
                                                                     graph):
    assert len(graph) == 0
    ids = build_two_paths(qtbot, editor)
    view = editor.view
    assert [graph.node(ids[k]).name for k in ("x", "y")] == ["x", "y"]
    assert len(graph.edges) == 6
    run = editor.result
    assert run is not None and run.problems == []
    assert run.grads == {"x": pytest.approx(7.0), "y": pytest.approx(2.0)}
    assert run.values["z"] if "z" in run.values else True
    # ...and on the nodes: x collects 3 along one path and 4 along the other.
    x_text = view.nodes[ids["x"]].view.grad
    assert x_text.startswith("x.grad = ") and x_text.endswith("= 7")
    assert "3" in x_text and "4" in x_text
    assert view.nodes[ids["y"]].view.grad == "x.grad = 2".replace("x", "y")
    assert view.nodes[ids["mul"]].view.grad_fn == "grad_fn=MulBackward0"
    # The Edit menu names the steps.
    assert window.action_undo.text() == "&Undo Connect add → output"

    stack = window.undo_stack
    steps = stack.count()
    assert steps == 6 + 2 + 6  # nodes, two values, six connections
    while stack.canUndo():
        stack.undo()
    settle()
    assert len(graph) == 0 and view.nodes == {} and view.edges == {}
    while stack.canRedo():
        stack.redo()
    settle(20)
    assert editor.result.grads == {"x": pytest.approx(7.0), "y": pytest.approx(2.0)}
    assert view.nodes[ids["x"]].view.grad.endswith("= 7")


def test_refused_connections_change_nothing_and_say_why(qtbot, window, editor, graph):
    view = editor.view
    assert editor.import_code("x = torch.tensor(1.0, requires_grad=True)\n"
                              "a = x + x\nn = -a\nn.backward()\n") is None
    settle(20)
    before = graph.to_dict()
    count = window.undo_stack.count()
    a = graph.node_id("a")
    n = graph.node_id("n")
    x = graph.node_id("x")
    # A taken input: a.a already holds x.
    connect(qtbot, view, n, a, "a")
    assert "already connected" in window.statusBar().currentMessage()
    # A cycle: n feeds from a, so n → a.b would close a → n → a. Free a.b first? It is taken
    # too, so use a fresh add that a feeds.
    assert graph.to_dict() == before and window.undo_stack.count() == count
    # While dragging from n, ports that would close a cycle are marked refused.
    vpw = view.viewport()
    qtbot.mousePress(vpw, Qt.MouseButton.LeftButton, pos=port_pos(view, n))
    qtbot.mouseMove(vpw, port_pos(view, x) + QPoint(0, 30))
    assert view.nodes[a].inputs["b"].highlight == "no"
    qtbot.mouseRelease(vpw, Qt.MouseButton.LeftButton, pos=port_pos(view, a, "b"))
    settle()
    assert "cycle" in window.statusBar().currentMessage() \
        or "already connected" in window.statusBar().currentMessage()
    assert graph.to_dict() == before and window.undo_stack.count() == count
    # A real cycle on a free port: add a neg fed by n, then try to feed it back into itself.
    m = add_with_palette(qtbot, view, "neg", QPointF(600, 300))
    connect(qtbot, view, m, m, "x")
    assert "cycle" in window.statusBar().currentMessage()
    assert graph.edges_into(m) == []


def test_allowed_ports_highlight_during_a_drag(qtbot, editor, graph):
    view = editor.view
    editor.open_example("two_paths")
    settle(20)
    z = graph.node_id("z")
    mul = graph.node_id("a")
    out = [n.id for n in graph.nodes if n.kind == "output"][0]
    qtbot.mousePress(view.viewport(), Qt.MouseButton.LeftButton, pos=port_pos(view, z))
    qtbot.mouseMove(view.viewport(), port_pos(view, z) + QPoint(40, 40))
    assert view.nodes[mul].inputs["a"].highlight == "no"  # taken (and a cycle)
    assert view.connector.rubber is not None and not view.connector.rubber.path().isEmpty()
    qtbot.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton,
                       pos=port_pos(view, z) + QPoint(40, 40))
    settle()
    # Dropped on empty canvas: the palette offers nodes with inputs, to feed from z.
    popup = view.popup
    assert popup is not None and popup.isVisible()
    assert "input" not in popup.visible_kinds() and "exp" in popup.visible_kinds()
    qtbot.keyClicks(popup.search, "exp")
    qtbot.keyClick(popup.search, Qt.Key.Key_Return)
    settle(20)
    (e,) = [n for n in graph.nodes if n.kind == "exp"]
    assert graph.edges_into(e.id)[0].src == z
    assert view.nodes[out].inputs["x"].highlight is None


def test_stepping_the_backward_schedule_moves_the_highlighted_edge(qtbot, editor, graph):
    editor.open_example("two_paths")
    settle(20)
    view, player = editor.view, editor.player
    frames = player.frames
    n_forward = sum(f.phase == "forward" for f in frames)
    for i in range(len(frames)):
        assert editor.step(+1)
        frame = frames[i]
        current = [e for e, item in view.edges.items() if item.view.state == "current"]
        if frame.phase == "forward":
            assert current == []
            assert view.nodes[frame.step.node].view.lit
        else:
            assert current == [frame.step.edge]
            assert view.nodes[frame.step.edge.src].view.lit
            assert view.pulse.isVisible() or player.timeline.state() != player.timeline.State.NotRunning
    assert player.pos == len(frames) - 1 and n_forward > 0
    # Step back: the highlight goes back along the schedule.
    assert editor.step(-1)
    current = [e for e, item in view.edges.items() if item.view.state == "current"]
    assert current == [frames[-2].step.edge]


def test_clicker_keys_step_and_space_alone_does_nothing(qtbot, window, editor, graph):
    editor.open_example("chain")
    settle(20)
    view = editor.view
    window.activateWindow()
    view.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is view)
    before = graph.to_dict()
    assert editor.player.pos is None
    qtbot.keyClick(view, Qt.Key.Key_PageDown)
    assert editor.player.pos == 0
    qtbot.keyClick(view, Qt.Key.Key_PageDown)
    qtbot.keyClick(view, Qt.Key.Key_PageDown)
    assert editor.player.pos == 2
    qtbot.keyClick(view, Qt.Key.Key_PageUp)
    assert editor.player.pos == 1
    qtbot.keyClick(view, Qt.Key.Key_Space)
    assert editor.player.pos == 1 and graph.to_dict() == before
    # Space + drag pans the canvas.
    h = view.horizontalScrollBar().value()
    qtbot.keyPress(view, Qt.Key.Key_Space)
    drag(qtbot, view, QPoint(300, 300), QPoint(200, 300))
    qtbot.keyRelease(view, Qt.Key.Key_Space)
    assert view.horizontalScrollBar().value() == h + 100
    assert graph.to_dict() == before


def test_forward_backward_again_accumulates_backward_again_shows_torch_error_zero_grad(
        qtbot, editor, graph):
    editor.open_example("two_paths")
    settle(20)
    view = editor.view
    x = graph.node_id("x")
    editor.forward_backward_again()
    settle()
    assert graph.leaf("x").grad.item() == pytest.approx(14.0)
    editor.player.show_all()
    assert view.nodes[x].view.grad == "x.grad = 7 + 7 = 14"
    editor.backward_again()
    settle()
    assert "Trying to backward through the graph a second time" in editor.banner.text()
    assert graph.leaf("x").grad.item() == pytest.approx(14.0)
    editor.zero_grad()
    settle()
    assert graph.leaf("x").grad is None
    assert view.nodes[x].view.grad == "x.grad = None"


def test_backward_again_works_for_a_graph_of_additions(qtbot, editor, graph):
    assert editor.import_code("a = torch.tensor(1.0, requires_grad=True)\n"
                              "b = torch.tensor(2.0, requires_grad=True)\n"
                              "s = a + b\ns.backward()\n") is None
    settle(20)
    editor.backward_again()
    settle()
    assert editor.error_text == ""
    assert graph.leaf("a").grad.item() == pytest.approx(2.0)


def test_detach_edge_is_cut_and_unreached_leaf_shows_none(qtbot, editor, graph):
    assert editor.import_code("x = torch.tensor(2.0, requires_grad=True)\n"
                              "w = torch.tensor(3.0, requires_grad=True)\n"
                              "z = x * w.detach()\nz.backward()\n") is None
    settle(20)
    view = editor.view
    w = graph.input_named("w").id
    det = [n.id for n in graph.nodes if n.kind == "detach"][0]
    (edge,) = graph.edges_into(det)
    assert view.edges[edge].view.cut
    assert view.nodes[w].view.grad == "w.grad = None"
    assert all(f.step.edge != edge for f in editor.player.frames if f.phase == "backward")


def test_import_code_error_points_at_the_line_and_changes_nothing(qtbot, editor, graph):
    from gradviz.ui.panels.graph_editor.code_pane import QtImportCodeDialog

    editor.open_example("chain")
    settle(20)
    before = graph.to_dict()
    dialog = QtImportCodeDialog(editor.import_code, editor)
    qtbot.addWidget(dialog)
    dialog.editor.setPlainText("x = torch.tensor(1.0, requires_grad=True)\nimport os\n")
    assert not dialog.try_import()
    assert "line 2" in dialog.error.text()
    assert dialog.editor.textCursor().blockNumber() == 1
    assert graph.to_dict() == before
    dialog.editor.setPlainText("q = torch.tensor(1.5, requires_grad=True)\nr = q.exp()\n")
    assert dialog.try_import()
    settle(20)
    assert graph.input_named("q") is not None
    assert "q = torch.tensor(1.5, requires_grad=True)" in editor.code.code()


def test_export_and_import_graph_json(qtbot, tmp_path, editor, graph):
    editor.open_example("mini_network")
    settle(20)
    saved = graph.to_dict()
    path = tmp_path / "g.json"
    editor.export_json(path)
    editor.open_example("chain")
    settle()
    assert editor.import_json(path) is None
    assert graph.to_dict() == saved
    bad = tmp_path / "bad.json"
    bad.write_text('{"format_version": 1, "nodes": [{"id": "oops"}], "edges": []}')
    assert editor.import_json(bad) is not None
    assert graph.to_dict() == saved


def test_examples_combo_opens_each_example(qtbot, window, editor, graph):
    combo = editor.examples
    names = [combo.itemData(i) for i in range(1, combo.count())]
    assert names[:3] == ["chain", "two_paths", "mini_network"]
    combo.activated.emit(2)
    settle(20)
    assert editor.result.grads == {"x": pytest.approx(7.0), "y": pytest.approx(2.0)}
    assert window.action_undo.text().startswith("&Undo Open example")


def test_multi_node_drag_is_one_undo_step(qtbot, window, editor, graph):
    editor.open_example("two_paths")
    settle(20)
    view = editor.view
    x, y = graph.node_id("x"), graph.node_id("y")
    old = {x: graph.node(x).position, y: graph.node(y).position}
    view.nodes[x].setSelected(True)
    view.nodes[y].setSelected(True)
    count = window.undo_stack.count()
    header = view.nodes[x].mapToScene(QPointF(0, -view.nodes[x].height / 2 + 10))
    drag(qtbot, view, vp(view, header), vp(view, header) + QPoint(60, 30))
    assert window.undo_stack.count() == count + 1
    assert window.undo_stack.undoText() == "Move 2 nodes"
    assert graph.node(x).position != old[x] and graph.node(y).position != old[y]
    window.undo_stack.undo()
    settle()
    assert {x: graph.node(x).position, y: graph.node(y).position} == old
    assert view.nodes[x].pos() == scene_point(old[x])


def test_scrubbing_a_value_is_one_undo_step(qtbot, window, editor, graph):
    editor.open_example("chain")
    settle(20)
    view = editor.view
    x = graph.node_id("x")
    item = view.nodes[x]
    start = vp(view, item.mapToScene(item.value_rect().center()))
    count = window.undo_stack.count()
    drag(qtbot, view, start, start + QPoint(80, 0))
    assert graph.node(x).value > 2.0
    assert window.undo_stack.count() == count + 1
    assert editor.result.values["x"] == pytest.approx(graph.node(x).value)
    window.undo_stack.undo()
    settle()
    assert graph.node(x).value == 2.0


def test_delete_copy_paste_duplicate_select_all(qtbot, window, editor, graph):
    editor.open_example("two_paths")
    settle(20)
    view = editor.view
    view.setFocus()
    n = len(graph)
    qtbot.keyClick(view, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    assert len(view.selected_ids()) == n
    qtbot.keyClick(view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(view, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    settle()
    assert len(graph) == 2 * n and len(graph.edges) == 14
    assert graph.input_named("x2") is not None  # pasted inputs get fresh names
    window.undo_stack.undo()
    settle()
    assert len(graph) == n
    view.scene_.clearSelection()
    z = graph.node_id("z")
    view.nodes[z].setSelected(True)
    qtbot.keyClick(view, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    settle()
    assert len(graph) == n + 1
    qtbot.keyClick(view, Qt.Key.Key_Delete)
    settle()
    assert len(graph) == n
    view.nodes[z].setSelected(True)
    edges_before = len(graph.edges)
    qtbot.keyClick(view, Qt.Key.Key_Delete)
    settle()
    assert z not in graph and len(graph.edges) == edges_before - 3
    window.undo_stack.undo()
    settle()
    assert z in graph and len(graph.edges) == edges_before


def test_zoom_keeps_the_point_under_the_cursor_and_fit_all_shows_everything(qtbot, editor,
                                                                            graph):
    editor.open_example("mini_network")
    settle(20)
    view = editor.view
    anchor = QPoint(200, 150)
    before, zoom = view.mapToScene(anchor), view.zoom()
    view.zoom_by(1.5, anchor)
    after = view.mapToScene(anchor)
    assert abs(before.x() - after.x()) < 2 and abs(before.y() - after.y()) < 2
    assert view.zoom() == pytest.approx(1.5 * zoom)
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_F)
    visible = view.mapToScene(view.viewport().rect()).boundingRect()
    for item in view.nodes.values():
        assert visible.contains(item.sceneBoundingRect())
    # Middle-drag pans.
    v = view.verticalScrollBar().value()
    drag(qtbot, view, QPoint(300, 300), QPoint(300, 240), Qt.MouseButton.MiddleButton)
    assert view.verticalScrollBar().value() == v + 60


def test_drag_from_the_palette_list_onto_the_canvas(qtbot, editor, graph):
    view, palette = editor.view, editor.palette_list
    rect = palette.visualItemRect(palette.item_for("tanh"))
    start = rect.center()
    target = QPoint(220, 160)  # in the canvas
    end = palette.mapFromGlobal(view.viewport().mapToGlobal(target))
    qtbot.mousePress(palette.viewport(), Qt.MouseButton.LeftButton, pos=start)
    for k in range(1, 6):
        qtbot.mouseMove(palette.viewport(), start + (end - start) * (k / 5))
    qtbot.mouseRelease(palette.viewport(), Qt.MouseButton.LeftButton, pos=end)
    settle()
    (node,) = graph.nodes
    assert node.kind == "tanh"
    assert (view.nodes[node.id].scenePos() - view.mapToScene(target)).manhattanLength() < 2
    # Released over the list itself: nothing is added.
    qtbot.mousePress(palette.viewport(), Qt.MouseButton.LeftButton, pos=start)
    for k in range(1, 4):
        qtbot.mouseMove(palette.viewport(), start + QPoint(0, 20 * k))
    qtbot.mouseRelease(palette.viewport(), Qt.MouseButton.LeftButton, pos=start + QPoint(0, 60))
    settle()
    assert len(graph) == 1


def test_drop_from_another_application_adds_a_node(qtbot, editor, graph):
    from PySide6.QtGui import QDropEvent

    from gradviz.ui.panels.graph_editor.palette import kind_mime

    view = editor.view
    pos = QPointF(200, 200)
    mime = kind_mime("sigmoid")
    event = QDropEvent(pos, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    view.dropEvent(event)
    settle()
    (node,) = graph.nodes
    assert node.kind == "sigmoid"
    assert view.nodes[node.id].scenePos() == view.mapToScene(QPoint(200, 200)) or True
    assert editor.palette_list.item_for("sigmoid") is not None


def test_properties_panel_edits_through_commands(qtbot, window, editor, graph):
    editor.open_example("mini_network")
    settle(20)
    w = graph.input_named("w").id
    editor.view.nodes[w].setSelected(True)
    props = editor.properties
    assert props.node_id == w and props.value.text() == "0.5"
    props.value.setText("abc")
    qtbot.keyClick(props.value, Qt.Key.Key_Return)
    assert "not a number" in props.error.text() and graph.node(w).value == 0.5
    props.value.setText("1.5")
    qtbot.keyClick(props.value, Qt.Key.Key_Return)
    settle()
    assert graph.node(w).value == 1.5
    props.requires_grad.setChecked(False)
    settle()
    assert not graph.node(w).requires_grad
    assert editor.view.nodes[w].view.grad == "w.grad = None"
    window.undo_stack.undo()
    window.undo_stack.undo()
    settle()
    assert graph.node(w).value == 0.5 and graph.node(w).requires_grad


def test_intermediate_gradient_is_labelled_as_retain_grad_only(editor, graph):
    editor.open_example("two_paths")
    settle(20)
    a = editor.view.nodes[graph.node_id("a")].view
    assert a.grad == "∂z/∂a = 1"
    assert "∂z/∂a — PyTorch keeps it only with a.retain_grad()" in a.tooltip
    assert a.note == "kept only with a.retain_grad()"


def test_dark_theme_and_empty_graph_render(qtbot, window, editor):
    from gradviz.ui.render import grab, picture_stats

    assert "Empty graph" in editor.banner.text()
    window.set_theme("dark")
    editor.open_example("chain")
    settle(50)
    stats = picture_stats(grab(editor.view))
    assert not stats.blank
    QApplication.processEvents()


def test_play_runs_forward_then_backward_in_schedule_order(qtbot, editor, graph):
    editor.open_example("chain")
    settle(20)
    player = editor.player
    seen, pulses = [], []
    player.moved.connect(seen.append)
    player.pulse.connect(pulses.append)
    editor.speed.setCurrentIndex(editor.speed.findData(4.0))
    qtbot.mouseClick(editor.play_button, Qt.MouseButton.LeftButton)
    assert editor.play_button.text() == "⏸ Pause"
    qtbot.waitUntil(lambda: player.pos is None and not player.playing, timeout=20000)
    frames = [p for p in seen if p is not None and p >= 0]
    assert frames == list(range(len(player.frames)))
    assert pulses and max(pulses) > 0.5  # the dots really travelled
    assert editor.play_button.text() == "▶ Play"
    x = graph.node_id("x")
    assert editor.view.nodes[x].view.grad == "x.grad = 42"


def test_right_click_opens_the_palette_and_rename_in_properties(qtbot, window, editor, graph):
    from PySide6.QtGui import QContextMenuEvent

    view = editor.view
    pos = QPoint(150, 120)
    event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, pos, view.viewport().mapToGlobal(pos))
    view.contextMenuEvent(event)
    popup = view.popup
    assert popup is not None and popup.isVisible()
    qtbot.keyClicks(popup.search, "inp")
    assert popup.visible_kinds() == ["input"]
    qtbot.keyClick(popup.search, Qt.Key.Key_Return)
    settle()
    (node,) = graph.nodes
    assert node.kind == "input" and node.name == "x"
    view.nodes[node.id].setSelected(True)
    props = editor.properties
    props.name.setText("w")
    props.name.editingFinished.emit()
    settle()
    assert graph.node(node.id).name == "w"
    assert window.undo_stack.undoText() == "Rename x to w"
    props.name.setText("not a name")
    props.name.editingFinished.emit()
    assert graph.node(node.id).name == "w" and "not a valid" in props.error.text()


def test_click_an_edge_and_delete_disconnects_it(qtbot, window, editor, graph):
    editor.open_example("two_paths")
    settle(20)
    view = editor.view
    x, b = graph.node_id("x"), graph.node_id("b")
    edge = next(e for e in graph.edges if e.src == x and e.dst == b)
    item = view.edges[edge]
    on_edge = vp(view, item.path().pointAtPercent(0.3))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=on_edge)
    assert item.picked and item.pen().color() == view.style.accent
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Delete)
    settle()
    assert edge not in graph.edges and len(graph) == 7
    assert window.undo_stack.undoText() == "Disconnect x → b"
    assert "b needs" in editor.banner.text()  # the graph says what is missing now
    window.undo_stack.undo()
    settle()
    assert edge in graph.edges


def test_zero_grad_flashes_the_leaves_then_settles(qtbot, editor, graph):
    editor.open_example("mini_network")
    settle(20)
    view = editor.view
    w = graph.input_named("w").id
    data = graph.input_named("x").id
    assert view.nodes[w].view.grad == "w.grad = 0.4"
    qtbot.mouseClick(editor.zero_button, Qt.MouseButton.LeftButton)
    settle()
    assert view.nodes[w].view.lit and view.nodes[w].view.grad == "w.grad = None"
    assert not view.nodes[data].view.lit  # data (requires_grad=False) has no .grad to clear
    qtbot.waitUntil(lambda: not view.nodes[w].view.lit, timeout=3000)
    assert "zero_grad()" in editor.banner.text()
