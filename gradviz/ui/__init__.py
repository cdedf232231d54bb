"""Everything that imports Qt, pyqtgraph or OpenGL lives here."""
