"""The canvas's interaction tools: each gesture is a small class with its own state.

:class:`~gradviz.ui.panels.graph_editor.view.QtGraphView` owns one of each and hands them its
mouse, wheel, key and drop events:

- :mod:`.pan` — middle-drag or Space + drag moves the canvas;
- :mod:`.connect` — drag from an output port to an input port (a rubber-band edge follows);
- :mod:`.scrub` — drag a leaf's value sideways (one merged undo step);
- :mod:`.drag` — moving nodes (Qt moves them; one ``MoveNodes`` per drag);
- :mod:`.selection` — picking edges, selecting, deleting; :mod:`.clipboard` — copy and paste;
- :mod:`.palette` — the Tab / right-click / drop palette that adds nodes;
- :mod:`.zoom` — wheel zoom, fit all, level of detail; :mod:`.value_editor` — in-place values;
- :mod:`.context_menu` — the right-click menu.
"""
