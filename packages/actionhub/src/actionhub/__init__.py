"""ActionHub: build action video description datasets for zero-shot action recognition."""

__version__ = "0.1.0"
