"""The read-only canvas of a user's traced autograd graph (``gradviz.show(loss)``).

- :mod:`.drawing` — what to draw for a folded view: boxes, texts and edge lines as arrays;
- :mod:`.canvas` — the ``QGraphicsView`` that draws them with level of detail, pan, zoom, fit;
- :mod:`.details` — the selected node's op, shape, summary and sparkline/heatmap;
- :mod:`.jobs` — layouts too large for the GUI thread, in a worker with progress and cancel;
- :mod:`.stepping` — the backward animation's schedule (the gradient order, column by column);
- :mod:`.editable` — "Copy as editable graph": a traced scalar graph rebuilt for the editor;
- :mod:`.panel` — the dockable panel that puts them together.

Only :mod:`.panel` is imported when the dock is first shown; nothing here is built before.
"""
