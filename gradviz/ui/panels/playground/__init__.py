"""The Playground panel: a small MLP trained live on 2-D data (issue 16).

:mod:`.panel` wires the sections to :class:`~gradviz.core.playground.PlaygroundModel`; each other
module is one section or view that only shows what it is given and reports what the user did.
"""
