"""The failures a task can end with. Each has a ``kind`` that becomes the ``status`` of a raw failure row."""

from __future__ import annotations


class HarvestError(Exception):
    """A failure of one task, recorded as a row; the run goes on.

    Args:
        kind: Short machine-readable status, e.g. ``http_503``, ``timeout``, ``parse_error``.
        message: What happened, for people; never contains credentials.
    """

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(f"{kind}: {message}")
        self.kind = kind
        self.message = message


class AuthError(HarvestError):
    """The site refused our credentials (401/403): the whole run stops at once, since every task would fail."""


class ParseError(HarvestError):
    """A response did not have the expected layout."""

    def __init__(self, message: str) -> None:
        super().__init__("parse_error", message)
