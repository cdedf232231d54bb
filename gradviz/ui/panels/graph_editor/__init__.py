"""The node editor: build computational graphs by hand and watch PyTorch run them.

A ``QGraphicsView`` canvas of the ``graph`` sub-model (:class:`gradviz.graph.Graph`). Modules:

- :mod:`.view` — the canvas: hands each event to its interaction tool (:mod:`.tools`: pan,
  connect, scrub, drag, selection, clipboard, palette, zoom, in-place values, context menu);
- :mod:`.mirror` — the canvas's items kept in step with the model's events;
- :mod:`.node_item`, :mod:`.edge_item`, :mod:`.items` — node and port items, edge and label
  items, and what they share (coordinates, pulse, rubber band);
- :mod:`.palette` — the searchable pop-up palette and the side list;
- :mod:`.display` — what each node and edge says at a frame of the animation (no Qt);
- :mod:`.animation` — the player of the model's forward and backward schedules;
- :mod:`.properties`, :mod:`.code_pane` — the side panels;
- :mod:`.panel` — the dockable panel that puts them together.

The undoable edits the canvas makes are Qt-free graph commands (:mod:`gradviz.graph.commands`).
"""
