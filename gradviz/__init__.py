"""GradViz: a desktop app that teaches derivatives and PyTorch autograd by touch."""

from gradviz._version import __version__

__all__ = ["__version__"]
