"""An overall deadline per request, enforced at the socket: every read and write waits at most what is left.

Per-read timeouts never fire against a server that trickles a byte every few seconds (slowloris): each byte
restarts them. :class:`DeadlineBackend` is an ``httpcore`` network backend whose streams clamp every
socket timeout to the time left before the calling thread's deadline, and fail at once past it, so headers
and body together cannot take longer than the deadline. The deadline is per thread, since each harvest
thread runs its own request on its own connection.
"""

from __future__ import annotations

import threading
import time

import httpcore
import httpx


class _Clock(threading.local):
    deadline: float | None = None
    seconds: float = 0.0


class DeadlineBackend(httpcore.NetworkBackend):
    """Wraps the default synchronous backend; see the module docstring."""

    def __init__(self) -> None:
        self._inner = httpcore.SyncBackend()
        self._clock = _Clock()

    def set(self, seconds: float | None) -> None:
        """Starts (or, with None, clears) this thread's deadline, ``seconds`` from now."""
        self._clock.deadline = None if seconds is None else time.monotonic() + seconds
        self._clock.seconds = seconds or 0.0

    def expired(self) -> bool:
        return self._clock.deadline is not None and time.monotonic() >= self._clock.deadline

    def error(self) -> httpcore.ReadTimeout:
        return httpcore.ReadTimeout(f"request deadline of {self._clock.seconds:g} s passed")

    def left(self, timeout: float | None) -> float | None:
        """``timeout`` clamped to this thread's time left; raises ``ReadTimeout`` once none is left."""
        if self._clock.deadline is None:
            return timeout
        left = self._clock.deadline - time.monotonic()
        if left <= 0:
            raise self.error()
        return left if timeout is None else min(timeout, left)

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        stream = self._inner.connect_tcp(host, port, self.left(timeout), local_address, socket_options)
        return _DeadlineStream(stream, self)

    def connect_unix_socket(self, path, timeout=None, socket_options=None):
        return _DeadlineStream(self._inner.connect_unix_socket(path, self.left(timeout), socket_options), self)

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class _DeadlineStream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream, backend: DeadlineBackend) -> None:
        self._inner = inner
        self._backend = backend

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        try:
            return self._inner.read(max_bytes, self._backend.left(timeout))
        except httpcore.ReadTimeout:
            if self._backend.expired():  # the clamped timeout, not the server's silence, ended the read
                raise self._backend.error() from None
            raise

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, self._backend.left(timeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, ssl_context, server_hostname=None, timeout=None):
        return _DeadlineStream(self._inner.start_tls(ssl_context, server_hostname, self._backend.left(timeout)),
                               self._backend)

    def get_extra_info(self, info: str):
        return self._inner.get_extra_info(info)


def deadline_transport(limits: httpx.Limits) -> tuple[httpx.HTTPTransport, DeadlineBackend]:
    """An ``httpx`` transport whose connections obey :class:`DeadlineBackend`, and that backend.

    ``httpx`` does not take a network backend, so it is set on the transport's connection pool; a test
    (slowloris headers) proves it is used.
    """
    transport = httpx.HTTPTransport(limits=limits)
    backend = DeadlineBackend()
    transport._pool._network_backend = backend  # noqa: SLF001 (no public way in httpx 0.28)
    return transport, backend
