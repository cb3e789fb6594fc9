"""ActionHub: build action video description datasets for zero-shot action recognition."""

from __future__ import annotations

__version__ = "0.1.0"


def load(path, config: str = "descriptions", top_k: int | None = None, **kwargs):
    """Loads a published ActionHub directory with ``datasets.load_dataset`` (see :func:`actionhub.publish.load`).

    Args:
        path: the published directory.
        config: ``descriptions`` (default), ``sentences`` or ``actions``.
        top_k: keep only descriptions (or their sentences) ranked ``<= top_k`` within their action.
        **kwargs: passed to ``load_dataset``.
    """
    from actionhub.publish import load as load_published

    return load_published(path, config, top_k, **kwargs)
