"""Frames between preflight and its program host: a 4-byte length, then one JSON message.

JSON rather than pickle: the host may run under the program's own interpreter (its
virtualenv), and nothing it sends is executed here.
"""
from __future__ import annotations

import dataclasses
import json
import os
import struct
import threading
from typing import TYPE_CHECKING, Any, BinaryIO, Optional

if TYPE_CHECKING:   # the host imports this module before it knows the interpreter has the Pulumi SDK
    from preflight.monitor import Registration

_HEADER = struct.Struct(">I")


class FrameWriter:
    """Thread-safe: the SDK registers resources from several threads."""

    def __init__(self, fd: int) -> None:
        self._stream = os.fdopen(fd, "wb", buffering=1 << 16)
        self._lock = threading.Lock()

    def send(self, kind: str, body: Any) -> None:
        data = json.dumps({"kind": kind, "body": body}, separators=(",", ":"), default=str).encode()
        with self._lock:
            self._stream.write(_HEADER.pack(len(data)))
            self._stream.write(data)
            if kind != "registration":
                self._stream.flush()

    def close(self, *, end: bool = False) -> None:
        """Flushes; `end` also closes the stream (the reader then sees its end)."""
        with self._lock:
            try:
                self._stream.flush()
            finally:
                if end:
                    self._stream.close()    # closes the fd even when the flush failed


def read_frame(stream: BinaryIO) -> Optional[dict]:
    """The next message, or None at end of stream (the host is gone)."""
    header = stream.read(_HEADER.size)
    if len(header) < _HEADER.size:
        return None
    (size,) = _HEADER.unpack(header)
    data = stream.read(size)
    if len(data) < size:
        return None
    return json.loads(data)


def registration_body(reg: Registration, *, outputs: bool) -> dict:
    body = dataclasses.asdict(reg)
    if not outputs:
        body["outputs"] = {}
    return body


def registration_of(body: dict) -> Registration:
    from preflight.monitor import Registration
    source = body.get("source")
    return Registration(**{**body, "source": tuple(source) if source else None})
