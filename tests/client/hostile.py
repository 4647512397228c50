"""A hostile HTTP server on loopback, for the client's hardening tests: real sockets, one thread
per connection, every answer written byte by byte by the test (a body that drips, a server that
never answers, a gzip bomb, an endless chunked body, ...).

::

    with Hostile(drip(b"{}", interval=0.05)) as server:
        Client(api_key=KEY, base_url=server.url, timeout=2).campaigns.get("cmp_1")

An answer is a function of one ``Exchange`` (the request as read, and the socket to write to).
Each stops by itself after ``Hostile(..., give_up=...)`` seconds at most, so a client that fails
to stop makes its test fail, never hang.
"""

from __future__ import annotations

import socket
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from types import TracebackType

__all__ = [
    "Answer",
    "Exchange",
    "Hostile",
    "chunked_forever",
    "drip",
    "drip_headers",
    "gzip_bomb",
    "head",
    "never_answer",
    "reply",
    "served",
    "stall_after",
]


class _Stopped(Exception):
    """The test is over (or the client went away): the answer stops writing."""


@dataclass
class Exchange:
    """One request on one connection: what was read, and the way to answer it."""

    request: bytes
    sock: socket.socket
    stopped: threading.Event
    give_up_at: float

    @property
    def method(self) -> str:
        return self.request.split(b" ", 1)[0].decode("latin-1")

    @property
    def target(self) -> str:
        return self.request.split(b" ", 2)[1].decode("latin-1")

    def send(self, data: bytes) -> None:
        if self.stopped.is_set() or time.monotonic() > self.give_up_at:
            raise _Stopped
        try:
            # Blocking while the client reads slowly, but never past the give-up time.
            self.sock.settimeout(max(0.05, self.give_up_at - time.monotonic()))
            self.sock.sendall(data)
        except OSError as exc:
            raise _Stopped from exc

    def wait(self, seconds: float) -> None:
        """Sleep, unless the test ends first."""
        if self.stopped.wait(seconds) or time.monotonic() > self.give_up_at:
            raise _Stopped


Answer = Callable[[Exchange], None]


class Hostile:
    """Serves ``answer`` on 127.0.0.1 (a free port) until the ``with`` block ends.

    ``requests`` lists every request line received, ``connections`` counts connections.
    """

    def __init__(self, answer: Answer, *, give_up: float = 8.0) -> None:
        self._answer = answer
        self._give_up = give_up
        self._stopped = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.05)
        self._threads: list[threading.Thread] = []
        self.requests: list[bytes] = []
        self.connections = 0
        port = self._listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"

    def __enter__(self) -> Hostile:
        thread = threading.Thread(target=self._accept, name="hostile", daemon=True)
        thread.start()
        self._threads.append(thread)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._stopped.set()
        for thread in self._threads:
            thread.join(timeout=5)
        self._listener.close()

    def _accept(self) -> None:
        while not self._stopped.is_set():
            try:
                sock, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            thread = threading.Thread(target=self._serve, args=(sock,), daemon=True)
            thread.start()
            self._threads.append(thread)

    def _serve(self, sock: socket.socket) -> None:
        buffer = b""
        try:
            while not self._stopped.is_set():
                request, buffer = _read_request(sock, buffer, self._stopped)
                if request is None:
                    return
                self.requests.append(request.split(b"\r\n", 1)[0])
                exchange = Exchange(request, sock, self._stopped, time.monotonic() + self._give_up)
                try:
                    self._answer(exchange)
                except _Stopped:
                    return
        finally:
            sock.close()


def _read_request(
    sock: socket.socket, buffer: bytes, stopped: threading.Event
) -> tuple[bytes | None, bytes]:
    """One request (head and a Content-Length body) from ``sock``; ``None`` once it closes."""
    while b"\r\n\r\n" not in buffer:
        chunk = _recv(sock, stopped)
        if not chunk:
            return None, b""
        buffer += chunk
    head, _, rest = buffer.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(rest) < length:
        chunk = _recv(sock, stopped)
        if not chunk:
            return None, b""
        rest += chunk
    return head + b"\r\n\r\n" + rest[:length], rest[length:]


def _recv(sock: socket.socket, stopped: threading.Event) -> bytes:
    while not stopped.is_set():
        try:
            sock.settimeout(0.05)
            return sock.recv(65536)
        except TimeoutError:
            continue
        except OSError:
            return b""
    return b""


def head(status: int = 200, headers: Iterable[tuple[str, str]] = (), *, reason: str = "") -> bytes:
    """A status line and headers, ready to send."""
    phrase = reason or {200: "OK", 404: "Not Found", 429: "Too Many Requests"}.get(status, "X")
    lines = [f"HTTP/1.1 {status} {phrase}", *(f"{n}: {v}" for n, v in headers)]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def reply(
    body: bytes,
    status: int = 200,
    headers: Iterable[tuple[str, str]] = (),
    *,
    content_type: str = "application/json",
) -> Answer:
    """A whole answer at once, with its Content-Length."""
    fields = [("Content-Type", content_type), ("Content-Length", str(len(body))), *headers]

    def answer(exchange: Exchange) -> None:
        exchange.send(head(status, fields) + body)

    return answer


def drip(body: bytes, *, interval: float = 0.05, status: int = 200) -> Answer:
    """The headers at once, then the body one byte every ``interval`` seconds."""

    def answer(exchange: Exchange) -> None:
        fields = [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
        exchange.send(head(status, fields))
        for byte in body:
            exchange.wait(interval)
            exchange.send(bytes([byte]))

    return answer


def drip_headers(*, interval: float = 0.05) -> Answer:
    """A status line, then header bytes one at a time, never ending the head."""

    def answer(exchange: Exchange) -> None:
        exchange.send(b"HTTP/1.1 200 OK\r\nX-Slow: ")
        while True:
            exchange.wait(interval)
            exchange.send(b"a")

    return answer


def stall_after(body: bytes, *, drip_for: float, interval: float = 0.05) -> Answer:
    """The headers, then the body dripped for ``drip_for`` seconds, then silence."""

    def answer(exchange: Exchange) -> None:
        fields = [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
        exchange.send(head(200, fields))
        ends = time.monotonic() + drip_for
        for byte in body:
            if time.monotonic() >= ends:
                break
            exchange.wait(interval)
            exchange.send(bytes([byte]))
        while True:
            exchange.wait(0.05)

    return answer


def never_answer(exchange: Exchange) -> None:
    """Read the request, then say nothing."""
    while True:
        exchange.wait(0.05)


def chunked_forever(*, chunk: bytes = b" " * 65536, status: int = 200) -> Answer:
    """A chunked body that never ends (whitespace: valid JSON so far, for ever)."""

    def answer(exchange: Exchange) -> None:
        fields = [("Content-Type", "application/json"), ("Transfer-Encoding", "chunked")]
        exchange.send(head(status, fields) + b"1\r\n[\r\n")
        frame = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
        while True:
            exchange.send(frame)

    return answer


@cache
def gzip_bomb(decoded_mib: int = 1024) -> bytes:
    """Zeros, ``decoded_mib`` MiB of them, as one valid gzip stream (1 GiB is about 1 MB).

    Built from one compressed MiB repeated: a full flush after each makes every copy the same
    bytes, so the bomb takes a moment to build, not the minute compressing a GiB would.
    """
    block = bytes(1024 * 1024)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    unit = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    final = compressor.flush()
    crc = 0
    for _ in range(decoded_mib):
        crc = zlib.crc32(block, crc)
    size = (decoded_mib * len(block)) % 2**32
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    trailer = crc.to_bytes(4, "little") + size.to_bytes(4, "little")
    return header + unit * decoded_mib + final + trailer


def served(answers: Iterable[Answer]) -> Answer:
    """Each request gets the next answer of ``answers``."""
    pending: Iterator[Answer] = iter(answers)
    lock = threading.Lock()

    def answer(exchange: Exchange) -> None:
        with lock:
            chosen = next(pending)
        chosen(exchange)

    return answer
