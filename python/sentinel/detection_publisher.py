# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""GNU Radio block: publish `detections` messages as JSON over a ZeroMQ PUB socket."""

import json
import math
import threading

import pmt
from gnuradio import gr

SCHEMA = "gr-sentinel/detection"
SCHEMA_VERSION = 1


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

    Every object carries `schema` ("gr-sentinel/detection"), `schema_version` (1),
    `seq` (0, 1, 2, ... per publisher: a subscriber counts gaps as losses),
    `source` (this block's `source_name`) and the detection's own fields (offset,
    label, ...). A message that is not a PMT dict, or holds a value JSON cannot
    carry, is counted in `malformed()` and dropped; the flowgraph keeps running.
    The default endpoint binds to loopback only; bind "tcp://0.0.0.0:PORT" to
    serve other hosts.
    """

    def __init__(self, endpoint="tcp://127.0.0.1:5557", source_name="sentinel", high_water_mark=100000):
        gr.basic_block.__init__(self, name="detection_publisher", in_sig=None, out_sig=None)
        import zmq

        if not str(endpoint).startswith(("tcp://", "ipc://", "inproc://")):
            raise ValueError("endpoint: a ZeroMQ bind address such as tcp://127.0.0.1:5557, got '{}'".format(endpoint))
        self.endpoint = str(endpoint)
        self.source_name = str(source_name)
        self._context = zmq.Context.instance()
        self._socket = self._context.socket(zmq.PUB)
        self._socket.setsockopt(zmq.SNDHWM, int(high_water_mark))
        self._socket.setsockopt(zmq.LINGER, 1000)
        try:
            self._socket.bind(self.endpoint)
        except zmq.ZMQError as error:
            self._socket.close()
            raise ValueError("endpoint: cannot bind {} ({})".format(self.endpoint, error)) from None
        self._lock = threading.Lock()
        self._sequence = 0
        self._malformed = 0
        self.message_port_register_in(pmt.intern("detections"))
        self.set_msg_handler(pmt.intern("detections"), self.handle)

    def handle(self, message):
        try:
            if not pmt.is_dict(message):
                raise TypeError("not a PMT dict")
            fields = to_json_value(pmt.to_python(message))
        except Exception:  # any malformed message: count it, drop it, keep running
            with self._lock:
                self._malformed += 1
            return
        with self._lock:
            record = {"schema": SCHEMA, "schema_version": SCHEMA_VERSION, "seq": self._sequence,
                      "source": self.source_name}
            record.update({k: v for k, v in fields.items() if k not in record})
            self._socket.send_string(json.dumps(record, separators=(",", ":")))
            self._sequence += 1

    def published(self):
        with self._lock:
            return self._sequence

    def malformed(self):
        with self._lock:
            return self._malformed

    def close(self):
        """Release the socket (also done when the block is garbage collected)."""
        with self._lock:
            if not self._socket.closed:
                self._socket.close()
