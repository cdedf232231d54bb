"""GradViz: a desktop app that teaches derivatives and PyTorch autograd by touch."""

__version__ = "0.1.0"
