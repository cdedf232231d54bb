"""File → Export scenes…: choose a folder, a size and a scale; write the PNGs and the PDF."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QWidget,
)

from gradviz.ui.handouts import DEFAULT_SIZE, HandoutError, export_scenes

SIZES = ((1920, 1080), (1280, 720), (1366, 768), (2560, 1440))
SCALES = (1.0, 1.5, 2.0, 2.5, 3.0)


class QtHandoutDialog(QDialog):
    """The choices of a handout export; :meth:`run_export` does the work and reports."""

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self.setWindowTitle("Export scenes")
        form = QFormLayout(self)
        self.folder = QLineEdit(str(Path.home() / "gradviz-handout"))
        self.folder.setAccessibleName("folder")
        browse = QPushButton("Choose…")
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.folder, 1)
        row.addWidget(browse)
        holder = QWidget()
        holder.setLayout(row)
        form.addRow("Folder", holder)
        self.size = QComboBox()
        self.size.setAccessibleName("picture size")
        for w, h in SIZES:
            self.size.addItem(f"{w} × {h}")  # the index picks from SIZES (Qt drops tuple data)
        self.size.setCurrentIndex(SIZES.index(DEFAULT_SIZE))
        form.addRow("Size", self.size)
        self.scale = QComboBox()
        self.scale.setAccessibleName("presentation scale")
        for s in SCALES:
            self.scale.addItem(f"×{s:g}", s)
        self.scale.setCurrentIndex(SCALES.index(1.5))
        form.addRow("Scale", self.scale)
        self.pdf = QCheckBox("also a PDF with the captions (handout.pdf)")
        self.pdf.setChecked(True)
        form.addRow("", self.pdf)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def _browse(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, "Export scenes into", self.folder.text())
        if chosen:
            self.folder.setText(chosen)

    def run_export(self) -> bool:
        """Export with the chosen settings; the outcome goes to the status bar, never a crash."""
        folder = Path(self.folder.text()).expanduser()
        pdf = folder / "handout.pdf" if self.pdf.isChecked() else None
        try:
            result = export_scenes(self.window, folder, SIZES[self.size.currentIndex()],
                                   self.scale.currentData(), pdf)
        except (HandoutError, OSError) as exc:
            self.window.show_status(f"Export scenes: {exc}", 15000)
            return False
        notes = " ".join(result.notes)
        self.window.show_status(f"Wrote {len(result.pictures)} scene(s) to {folder}. {notes}",
                                15000)
        return True


def export_scenes_dialog(window) -> None:
    scenes = window.lessons.scenes
    if scenes is None or len(scenes) == 0:
        window.show_status("This lesson has no scenes yet: add one in the Scenes panel first.")
        return
    dialog = QtHandoutDialog(window)
    if dialog.exec() == QDialog.DialogCode.Accepted:
        dialog.run_export()
