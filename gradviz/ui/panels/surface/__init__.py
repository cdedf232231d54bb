"""The loss-surface panel: a 3D surface with balls rolling down it by real ``torch.optim``
optimizers, a linked contour map, a loss-vs-step plot and the code of the loop.

The panel module (and pyqtgraph's OpenGL code) is imported only when the panel is first built.
"""
