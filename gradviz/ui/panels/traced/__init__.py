"""The traced page of the graph editor: a user's autograd graph (``gradviz.show(loss)``),
read-only.

- :mod:`.drawing` — what to draw for a folded view: boxes, texts and edge lines as arrays;
- :mod:`.canvas` — the ``QGraphicsView`` that draws them with level of detail, pan, zoom, fit;
- :mod:`.details` — the selected node's op, shape, summary and sparkline/heatmap;
- :mod:`.stepping` — the forward and backward animation's schedules (column by column);
- :mod:`.animation` — those schedules played by the graph editor's player;
- :mod:`.editable` — "Copy as editable graph": a traced scalar graph rebuilt for the editor;
- :mod:`.panel` — the page that puts them together, shown by the graph editor
  (:mod:`gradviz.ui.panels.graph_editor.traced_switch`).

Only imported when a traced graph is first shown; nothing here is built before.
"""
