"""The failures a task can end with. Each has a ``kind`` that becomes the ``status`` of a raw failure row."""

from __future__ import annotations


class HarvestError(Exception):
    """A failure of one task, recorded as a row; the run goes on.

    Args:
        kind: Short machine-readable status, e.g. ``http_503``, ``timeout``, ``parse_error``.
        message: What happened, for people; never contains credentials.

    Attributes:
        retryable: Whether fetching the same page again within the run may succeed (a truncated or garbled
            body, a proxy's error page); transport faults are already retried inside the client.
    """

    retryable = False

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(f"{kind}: {message}")
        self.kind = kind
        self.message = message


class AuthError(HarvestError):
    """The site refused our credentials (401/403): the whole run stops at once, since every task would fail."""


class ParseError(HarvestError):
    """A response did not have the expected layout (invalid JSON, an HTML page where JSON was due...)."""

    retryable = True

    def __init__(self, message: str) -> None:
        super().__init__("parse_error", message)


class BodyError(HarvestError):
    """A body that arrived broken: cut short inside its compression, or compressed in an unknown way."""

    retryable = True


class ItemError(ValueError):
    """One item of a page is unusable (bad UTF-8, a missing field, a field of the wrong type).

    The item becomes a failure row with ``kind`` as its status; the rest of the page is kept.
    """

    def __init__(self, kind: str, message: str, asset_id: str | None = None) -> None:
        super().__init__(f"{kind}: {message}")
        self.kind = kind
        self.message = message
        self.asset_id = asset_id
