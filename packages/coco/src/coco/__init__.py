"""CoCo: Cross-modality and Cross-action zero-shot action recognition (Zhou et al., ActionHub paper)."""

__version__ = "0.1.0"
