"""The Scenes panel: the lesson's steps. Record the panels on screen and their state as a scene,
caption it, reorder, update or delete scenes (all undoable), and show one."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QGridLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
)

from gradviz.core.model import StateError
from gradviz.lesson.scenes import (
    MAX_CAPTION,
    SCENES_KEY,
    AddSceneCommand,
    DeleteSceneCommand,
    MoveSceneCommand,
    SetCaptionCommand,
    UpdateSceneCommand,
    apply_scene_state,
    capture_scene,
)
from gradviz.ui.panels.base import QtPanel
from gradviz.ui.registry import PanelContext


class QtScenesPanel(QtPanel):
    explainer = ("A lesson is a sequence of scenes. Each scene remembers which panels are on "
                 "screen, every value in them and a caption; F5 presents them one by one.")
    try_this = ("set up a panel, press “Add scene”, change something, add another — then press "
                "F5 and walk through them with PageDown.")

    def __init__(self, ctx: PanelContext) -> None:
        super().__init__(ctx)
        self.scenes = self.model[SCENES_KEY]
        self.list = QListWidget()
        self.list.setObjectName("scene-list")
        self.list.setWordWrap(True)
        self.list.setAlternatingRowColors(True)
        self.caption = QLineEdit()
        self.caption.setObjectName("scene-caption")
        self.caption.setMaxLength(MAX_CAPTION)
        self.caption.setPlaceholderText("Caption of the selected scene")
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.buttons: dict[str, QPushButton] = {}
        grid = QGridLayout()
        specs = [("add", "Add scene", "Record the panels on screen and their state"),
                 ("update", "Update", "Replace the selected scene with what is on screen now"),
                 ("show", "Show", "Load the selected scene and show its panels"),
                 ("up", "Move up", "Move the selected scene earlier"),
                 ("down", "Move down", "Move the selected scene later"),
                 ("delete", "Delete", "Delete the selected scene")]
        for i, (key, text, tip) in enumerate(specs):
            button = QPushButton(text)
            button.setObjectName(f"scene-{key}")
            button.setToolTip(tip)
            grid.addWidget(button, i // 3, i % 3)
            self.buttons[key] = button
        self.body_layout.addWidget(self.list, 1)
        self.body_layout.addWidget(QLabel("Caption:"))
        self.body_layout.addWidget(self.caption)
        self.body_layout.addLayout(grid)
        self.body_layout.addWidget(self.message)

        self.buttons["add"].clicked.connect(self.add_scene)
        self.buttons["update"].clicked.connect(self.update_scene)
        self.buttons["show"].clicked.connect(lambda: self.show_scene(self.selected()))
        self.buttons["up"].clicked.connect(lambda: self.move_scene(-1))
        self.buttons["down"].clicked.connect(lambda: self.move_scene(+1))
        self.buttons["delete"].clicked.connect(self.delete_scene)
        self.list.currentRowChanged.connect(self._on_selection_changed)
        self.list.itemDoubleClicked.connect(lambda item: self.show_scene(self.list.row(item)))
        self.caption.textEdited.connect(self._on_caption_edited)
        self.listen(self.scenes.events.changed, self._on_scenes_changed)
        self.listen(self.scenes.events.current, self._on_current_changed)
        self._on_scenes_changed()

    # -- reading the window (optional: the panel also works on its own) ----------------------------
    def _visible_panels(self) -> list[str]:
        window = self.window()
        docks = getattr(window, "docks", None)
        if not isinstance(docks, dict):
            return []
        # A panel with pages is recorded under the page it shows ("traced").
        return [dock.panel.view_name() if dock.panel is not None else name
                for name, dock in docks.items()
                if name != self.panel_name and dock.isVisible()
                and (dock.isFloating() or not dock.visibleRegion().isEmpty())]

    def _title_of(self, name: str) -> str:
        docks = getattr(self.window(), "docks", None)
        dock = docks.get(name) if isinstance(docks, dict) else None
        return dock.spec.title if dock is not None else name

    def selected(self) -> int:
        return self.list.currentRow()

    # -- actions -----------------------------------------------------------------------------------
    def add_scene(self) -> bool:
        row = self.selected()
        index = row + 1 if row >= 0 else len(self.scenes)
        caption = f"Scene {len(self.scenes) + 1}"
        ok = self._push(AddSceneCommand(self.scenes, capture_scene(
            self.model, self._visible_panels(), caption), index))
        if ok:
            self.list.setCurrentRow(index)
            self.caption.setFocus()
            self.caption.selectAll()
        return ok

    def update_scene(self) -> bool:
        row = self.selected()
        if row < 0:
            return False
        scene = capture_scene(self.model, self._visible_panels(), self.scenes[row].caption)
        return self._push(UpdateSceneCommand(self.scenes, row, scene))

    def move_scene(self, direction: int) -> bool:
        row = self.selected()
        target = row + direction
        if row < 0 or not 0 <= target < len(self.scenes):
            return False
        ok = self._push(MoveSceneCommand(self.scenes, row, target))
        if ok:
            self.list.setCurrentRow(target)
        return ok

    def delete_scene(self) -> bool:
        row = self.selected()
        if row < 0:
            return False
        return self._push(DeleteSceneCommand(self.scenes, row))

    def show_scene(self, row: int) -> bool:
        if not 0 <= row < len(self.scenes):
            return False
        lessons = getattr(self.window(), "lessons", None)
        if lessons is not None:
            return lessons.go_to_scene(row)
        try:
            apply_scene_state(self.model, self.scenes[row])
        except StateError as exc:
            self.message.setText(str(exc))
            return False
        self.scenes.set_current(row)
        return True

    def _push(self, command) -> bool:
        try:
            return self.ctx.push(command)
        except (StateError, IndexError) as exc:  # without a window, commands run directly
            self.message.setText(str(exc))
            return False

    def _on_caption_edited(self, text: str) -> None:
        row = self.selected()
        if row >= 0:
            self._push(SetCaptionCommand(self.scenes, row, text))

    # -- model events ------------------------------------------------------------------------------
    def _on_scenes_changed(self) -> None:
        row = self.selected()
        self.list.blockSignals(True)
        self.list.clear()
        for i, scene in enumerate(self.scenes):
            panels = ", ".join(map(self._title_of, scene.panels)) or "no panels"
            item = QListWidgetItem(f"{i + 1}. {scene.caption or '(no caption)'}\n    {panels}")
            item.setToolTip(scene.caption)
            self.list.addItem(item)
        self.list.blockSignals(False)
        if len(self.scenes):
            self.list.setCurrentRow(min(max(row, 0), len(self.scenes) - 1))
        self._mark_current(self.scenes.current)
        self._on_selection_changed(self.selected())
        self.message.setText("" if len(self.scenes) else
                             "No scenes yet: arrange the panels and press “Add scene”.")

    def _on_current_changed(self, index: int) -> None:
        self._mark_current(index)

    def _mark_current(self, index: int) -> None:
        for i in range(self.list.count()):
            item = self.list.item(i)
            font = item.font()
            font.setBold(i == index)
            item.setFont(font)

    def _on_selection_changed(self, row: int) -> None:
        has = 0 <= row < len(self.scenes)
        for key in ("update", "show", "delete"):
            self.buttons[key].setEnabled(has)
        self.buttons["up"].setEnabled(has and row > 0)
        self.buttons["down"].setEnabled(has and row < len(self.scenes) - 1)
        self.caption.setEnabled(has)
        text = self.scenes[row].caption if has else ""
        if self.caption.text() != text:
            self.caption.setText(text)

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        self._on_scenes_changed()  # now docked in the window: panel titles are known

    # -- stepping protocol: the clicker walks through the scenes --------------------------------
    def can_step(self) -> bool:
        return len(self.scenes) > 0

    def step(self, direction: int) -> bool:
        target = self.scenes.current + direction
        if 0 <= target < len(self.scenes):
            return self.show_scene(target)
        return False
