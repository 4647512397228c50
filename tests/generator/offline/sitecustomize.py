"""Loaded by every Python process started with this folder on ``PYTHONPATH``: no network.

The generator runs other tools in child processes (openapi-python-client,
datamodel-code-generator, ruff); each inherits ``PYTHONPATH`` and so loads this module too. Any
attempt to resolve a name or open an IP connection is written to the file named by
``VOXKIT_NETWORK_LOG`` (one line each) and fails with ``OSError``. Unix sockets still work.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import Any, NoReturn

_LOG = os.environ.get("VOXKIT_NETWORK_LOG")
_IP = (socket.AF_INET, socket.AF_INET6)


def _refuse(what: str, target: object) -> NoReturn:
    if _LOG:
        with Path(_LOG).open("a", encoding="utf-8") as log:
            log.write(f"pid {os.getpid()}: {what} {target!r}\n")
    raise OSError(f"network blocked by tests/generator/offline: {what} {target!r}")


_connect = socket.socket.connect
_connect_ex = socket.socket.connect_ex
_sendto = socket.socket.sendto


def _guarded_connect(self: socket.socket, address: Any) -> None:
    if self.family in _IP:
        _refuse("connect", address)
    _connect(self, address)


def _guarded_connect_ex(self: socket.socket, address: Any) -> int:
    if self.family in _IP:
        _refuse("connect_ex", address)
    return _connect_ex(self, address)


def _guarded_sendto(self: socket.socket, *args: Any) -> int:
    if self.family in _IP:
        _refuse("sendto", args[-1])
    return _sendto(self, *args)


def _resolver(name: str) -> Any:
    def refuse(host: object, *args: object, **kwargs: object) -> NoReturn:
        _refuse(name, host)

    return refuse


socket.socket.connect = _guarded_connect  # type: ignore[method-assign,assignment]
socket.socket.connect_ex = _guarded_connect_ex  # type: ignore[method-assign,assignment]
socket.socket.sendto = _guarded_sendto  # type: ignore[assignment]
socket.create_connection = _resolver("create_connection")
for _name in ("getaddrinfo", "gethostbyname", "gethostbyname_ex", "gethostbyaddr"):
    setattr(socket, _name, _resolver(_name))
