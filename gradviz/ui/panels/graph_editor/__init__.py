"""The node editor: build computational graphs by hand and watch PyTorch run them.

A ``QGraphicsView`` canvas of the ``graph`` sub-model (:class:`gradviz.graph.Graph`). Modules:

- :mod:`.view` — the canvas (zoom, pan, selection, connecting, clipboard, in-place values);
- :mod:`.items` — node, port, edge, label and pulse items;
- :mod:`.palette` — the searchable pop-up palette and the side list;
- :mod:`.display` — what each node and edge says at a frame of the animation (no Qt);
- :mod:`.animation` — the player of the model's forward and backward schedules;
- :mod:`.edits` — multi-step edits (delete several, paste, add-and-connect, replace graph);
- :mod:`.properties`, :mod:`.code_view` — the side panels;
- :mod:`.panel` — the dockable panel that puts them together.
"""
