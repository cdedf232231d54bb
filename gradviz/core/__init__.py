"""The shared PyTorch-backed model layer: torch, numpy and psygnal, never Qt.

Kept free of eager imports so that light modules (resources, numbers) load without torch.
"""
