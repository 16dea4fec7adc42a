# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""GNU Radio block: publish `detections` messages as JSON over a ZeroMQ PUB socket."""

import json
import math
import operator
import secrets
import threading

import pmt
from gnuradio import gr

SCHEMA = "gr-sentinel/detection"
#: 2 added `publisher`, an id drawn afresh by every publisher instance (so every run)
SCHEMA_VERSION = 3
#: ZeroMQ keeps the high-water mark in a C int
MAX_HIGH_WATER_MARK = 2 ** 31 - 1
SCHEMES = ("tcp", "ipc", "inproc")


def check_endpoint(endpoint, parameter="endpoint", bind=True):
    """The endpoint as a string, or ValueError naming `parameter` and what is allowed.

    tcp://HOST:PORT with PORT 1..65535 (a bind may also give `*` for any free port, and
    `*` as HOST for every interface), ipc://PATH or inproc://NAME. ZeroMQ itself takes
    a port above 65535 modulo 65536 and binds another port, silently."""
    text = str(endpoint)
    scheme, separator, address = text.partition("://")
    allowed = ("tcp://HOST:PORT (PORT 1-65535{}), ipc://PATH or inproc://NAME".format(
        ", or * for any free port" if bind else ""))
    if not separator or scheme not in SCHEMES:
        raise ValueError("{}: '{}' is not a ZeroMQ endpoint; allowed: {}".format(parameter, text, allowed))
    if not address or any(c.isspace() for c in address):
        raise ValueError("{}: '{}' has an empty or blank address; allowed: {}".format(parameter, text, allowed))
    if scheme != "tcp":
        return text
    host, colon, port = address.rpartition(":")
    if not colon or not host or "/" in address:
        raise ValueError("{}: '{}' needs HOST:PORT; allowed: {}".format(parameter, text, allowed))
    if host == "*" and not bind:
        raise ValueError("{}: '{}': * is a bind address; connect to a host name or address".format(
            parameter, text))
    if port == "*" and bind:
        return text
    if not (port.isascii() and port.isdigit() and 1 <= int(port) <= 65535):
        raise ValueError("{}: port '{}' in '{}' is not a TCP port; allowed: 1 to 65535{}".format(
            parameter, port, text, " or *" if bind else ""))
    return text


def to_json_value(value):
    """PMT-converted Python values -> JSON-safe values (NaN/Inf become None)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): to_json_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json_value(v) for v in value]
    if hasattr(value, "tolist"):
        return to_json_value(value.tolist())
    if value is None or isinstance(value, (bool, int, str)):
        return value
    raise TypeError("cannot publish a value of type {}".format(type(value).__name__))


class detection_publisher(gr.basic_block):
    """One JSON object per detection on a ZeroMQ PUB socket (one frame each).

    Every object carries `schema` ("gr-sentinel/detection"), `schema_version` (3;
    3 added `emitter`, a dict on detections from a wideband flowgraph),
    `publisher` (an id drawn when this block is made, so a new one every run: a
    subscriber tells a restart from a gap by it), `seq` (0, 1, 2, ... per publisher:
    a subscriber counts gaps as losses), `source` (this block's `source_name`) and the
    detection's own fields (offset, label, ...).

    Every message on `detections` is either published or counted in `malformed()`:
    a message that is not a PMT dict, an empty dict (in PMT the same as PMT_NIL), or
    one holding a value JSON cannot carry (a complex number, ...) is counted and
    dropped, and the port goes on with the next message. Messages that arrive after
    close() are counted in `dropped()`. The default endpoint binds to loopback only;
    bind "tcp://0.0.0.0:PORT" to serve other hosts.
    """

    def __init__(self, endpoint="tcp://127.0.0.1:5557", source_name="sentinel", high_water_mark=100000):
        gr.basic_block.__init__(self, name="detection_publisher", in_sig=None, out_sig=None)
        import zmq

        endpoint = check_endpoint(endpoint, "endpoint", bind=True)
        try:
            limit = None if isinstance(high_water_mark, bool) else operator.index(high_water_mark)
        except TypeError:
            limit = None
        if limit is None or not 1 <= limit <= MAX_HIGH_WATER_MARK:
            raise ValueError("high_water_mark: messages queued per subscriber before ZeroMQ drops them, an "
                             "integer from 1 to {}; got {!r}".format(MAX_HIGH_WATER_MARK, high_water_mark))
        self.source_name = str(source_name)
        self.publisher_id = secrets.token_hex(8)
        self._context = zmq.Context.instance()
        self._socket = self._context.socket(zmq.PUB)
        self._socket.setsockopt(zmq.SNDHWM, limit)
        self._socket.setsockopt(zmq.LINGER, 1000)
        try:
            self._socket.bind(endpoint)
        except zmq.ZMQError as error:
            self._socket.close()
            raise ValueError("endpoint: cannot bind {} ({})".format(endpoint, error)) from None
        # the address bound (tcp://HOST:* becomes the port the system chose)
        self.endpoint = self._socket.getsockopt_string(zmq.LAST_ENDPOINT) or endpoint
        self._lock = threading.Lock()
        self._sequence = 0
        self._malformed = 0
        self._dropped = 0
        self.message_port_register_in(pmt.intern("detections"))
        self.set_msg_handler(pmt.intern("detections"), self.handle)

    def handle(self, message):
        # Never raises: an exception here would end the block's message thread, and the
        # feed would go silent while the flowgraph runs.
        try:
            fields = pmt.to_python(message) if pmt.is_dict(message) else None
            if not isinstance(fields, dict) or not fields:   # not a dict, or empty (PMT_NIL)
                raise TypeError("not a non-empty PMT dict")
            fields = to_json_value(fields)
        except Exception:  # any malformed message: count it, drop it, keep running
            with self._lock:
                self._malformed += 1
            return
        with self._lock:
            if self._socket.closed:
                self._dropped += 1
                return
            record = {"schema": SCHEMA, "schema_version": SCHEMA_VERSION, "publisher": self.publisher_id,
                      "seq": self._sequence, "source": self.source_name}
            record.update({k: v for k, v in fields.items() if k not in record})
            try:
                frame = json.dumps(record, separators=(",", ":"), allow_nan=False)
            except (TypeError, ValueError, RecursionError):
                self._malformed += 1
                return
            try:
                self._socket.send_string(frame)
            except Exception:  # the socket refused it (a ZeroMQ error): count, go on
                self._dropped += 1
                return
            self._sequence += 1

    def published(self):
        """Messages sent (the next `seq`)."""
        with self._lock:
            return self._sequence

    def malformed(self):
        """Messages counted and dropped: not a non-empty PMT dict, or not expressible in JSON."""
        with self._lock:
            return self._malformed

    def dropped(self):
        """Well-formed messages not sent: they arrived after close(), or ZeroMQ refused them."""
        with self._lock:
            return self._dropped

    def close(self):
        """Release the socket (also done when the block is garbage collected)."""
        with self._lock:
            if not self._socket.closed:
                self._socket.close()
