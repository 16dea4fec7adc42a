# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""`sentinel watch tcp://HOST:PORT`: subscribe to a detection feed, show it, save it.

Every frame is either received (a detection record), counted as malformed (not UTF-8,
not JSON, nested deeper than MAX_DEPTH, not an object, a field of the wrong type, a seq
no publisher could have reached) or, for a seq gap, counted as lost. A new publisher id
for a source already followed is a restart; the first seq seen of each source says
where this subscriber joined."""

import collections
import json
import time

from ..detection_publisher import SCHEMA, check_endpoint
from .arguments import endpoint, integer, real

#: nesting levels a record may have (the publisher's records have at most 3)
MAX_DEPTH = 16
#: detections per second no publisher exceeds: a seq gap larger than this rate allows since
#: the stream's previous frame (plus one second) is not a loss but a corrupt frame
MAX_RATE = 1_000_000

SECONDS = real(0.0, what="a finite number of seconds", note="0: no limit")
_NUMBER = (int, float)
#: fields this command reads, with the JSON types they may have (null is allowed for all
#: but seq and source); other fields are passed through unchecked
FIELD_TYPES = {
    "schema": (str,), "schema_version": (int,), "publisher": (str,), "model": (str,), "label": (str,),
    "offset": (int,), "last_offset": (int,), "length": (int,), "window": (int,),
    "confidence": _NUMBER, "score": _NUMBER, "probability": _NUMBER, "rx_time": _NUMBER,
}


def add_parser(sub):
    parser = sub.add_parser("watch", help="subscribe to a detection_publisher feed and print it")
    parser.add_argument("endpoint", type=endpoint(bind=False),
                        help="the publisher's address, e.g. tcp://127.0.0.1:5557")
    parser.add_argument("--jsonl", help="also append every detection to this JSON-lines file")
    parser.add_argument("--count", type=integer(0, note="0: no limit"), default=0,
                        help="stop after this many detections")
    parser.add_argument("--duration", type=SECONDS, default=0.0, help="stop after this many seconds")
    parser.add_argument("--idle-timeout", type=SECONDS, default=0.0,
                        help="stop when nothing arrives for this many seconds (after the first)")
    parser.add_argument("--quiet", action="store_true",
                        help="no per-detection lines (joins, restarts and the summary still print)")
    parser.set_defaults(run=run)
    return parser


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _depth(value):
    """Nesting depth of a parsed JSON value (a scalar is 0), without recursion."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        item, level = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is not None:
            deepest = max(deepest, level + 1)
            if deepest > MAX_DEPTH:
                return deepest
            stack.extend((child, level + 1) for child in children)
    return deepest


def check_record(record):
    """None when `record` (parsed JSON) is a detection this command can use, else the reason."""
    if not isinstance(record, dict):
        return "not_object"
    seq, source = record.get("seq"), record.get("source")
    if not (_is_int(seq) and seq >= 0) or not isinstance(source, str):
        return "bad_field"
    for key, types in FIELD_TYPES.items():
        value = record.get(key)
        if value is not None and (not isinstance(value, types) or (isinstance(value, bool) and bool not in types)):
            return "bad_field"
    flags = record.get("flags")
    if flags is not None and not (isinstance(flags, list) and all(isinstance(f, str) for f in flags)):
        return "bad_field"
    if record.get("schema", SCHEMA) != SCHEMA:
        return "foreign_schema"
    return None


class FeedStats:
    """Counts detections, malformed frames and the gaps in each publisher's sequence
    numbers (losses); follows publisher restarts and late joins.

    A stream is one (source, publisher id). Within a stream a gap of g (seq jumps from
    s to s + 1 + g) is g lost when a publisher could have sent that many since the
    stream's previous frame (MAX_RATE per second, plus one second); a larger jump is a
    corrupt frame (malformed, "implausible_seq"), and the stream goes on from where it
    was. A new publisher id for a source already followed is a restart: its run began at
    seq 0, so its first seq N means N lost (as plausible: MAX_RATE per second since this
    subscriber started). The first frame of a source says where the subscriber joined
    (`joined_at`): detections published before that are not counted as lost. Feeds of
    schema version 1 carry no publisher id; there a seq that goes backwards is a restart.
    """

    def __init__(self, now=None):
        self.received = 0
        self.lost = 0
        self.malformed = 0
        self.reasons = collections.Counter()
        self.restarts = 0
        self.joined_at = {}       # source -> first seq seen
        self.notices = []         # lines for the user, in order; the caller takes them
        self._began = time.monotonic() if now is None else now
        self._streams = {}        # (source, publisher) -> [next seq, time of the last frame]

    def _bad(self, reason):
        self.malformed += 1
        self.reasons[reason] += 1
        return None

    def add_frame(self, frame, now=None):
        """One ZeroMQ frame (bytes or str): the record when it is a detection, else None."""
        try:
            text = frame.decode("utf-8") if isinstance(frame, (bytes, bytearray, memoryview)) else frame
        except UnicodeDecodeError:
            return self._bad("not_utf8")
        try:
            record = json.loads(text)
        except RecursionError:
            return self._bad("too_deep")
        except ValueError:     # also Python's limit on the digits of an integer
            return self._bad("not_json")
        if _depth(record) > MAX_DEPTH:
            return self._bad("too_deep")
        return record if self.add(record, now) else None

    def add(self, record, now=None):
        """Count one parsed record; True when it is a detection (counted as received)."""
        now = time.monotonic() if now is None else now
        reason = check_record(record)
        if reason is not None:
            if reason == "bad_field" and isinstance(record, dict):
                self._follow(record, now, count_only=True)
            self._bad(reason)
            return False
        if not self._follow(record, now):
            return False
        self.received += 1
        return True

    def _follow(self, record, now, count_only=False):
        """Track the record's stream; False when its seq is implausible (counted as malformed).
        `count_only`: a malformed record whose seq and source are usable still moves its
        stream on, so it is not also counted as lost."""
        seq, source, publisher = record.get("seq"), record.get("source"), record.get("publisher")
        if not (_is_int(seq) and seq >= 0 and isinstance(source, str)):
            return False
        if not isinstance(publisher, str):
            publisher = None
        key = (source, publisher)
        stream = self._streams.get(key)
        if stream is None:
            old = [k for k in self._streams if k[0] == source]
            restart = bool(old) and (publisher is not None or any(k[1] is not None for k in old))
            return self._start(key, seq, now, restart, count_only)
        expected, last = stream
        if seq >= expected:
            gap = seq - expected
            if gap > MAX_RATE * (now - last + 1.0):
                if not count_only:
                    self._bad("implausible_seq")
                return False
            self.lost += gap
        elif publisher is None:          # a schema 1 feed: seq went back, the publisher restarted
            return self._start(key, seq, now, True, count_only)
        else:                            # the same run cannot repeat a seq
            if not count_only:
                self._bad("seq_repeated")
            return False
        stream[:] = [seq + 1, now]
        return True

    def _start(self, key, seq, now, restart, count_only):
        source, publisher = key
        if restart:
            if seq > MAX_RATE * (now - self._began + 1.0):
                if not count_only:
                    self._bad("implausible_seq")
                return False
            self.restarts += 1
            self.lost += seq
            self.notices.append("{}: publisher restarted{} at seq {}: {} lost at the start of the new run "
                                "(what the previous run sent after its last frame received is not known)".format(
                                    source, " (new id {})".format(publisher) if publisher else "", seq, seq))
        else:
            self.joined_at[source] = seq
            self.notices.append("joined {} at seq {}{}".format(
                source, seq, ": the {} detection(s) published before it came before this subscription and are "
                "not counted as lost".format(seq) if seq else ""))
        self._streams[key] = [seq + 1, now]
        return True

    def summary(self):
        return {"received": self.received, "lost": self.lost, "malformed": self.malformed,
                "malformed_reasons": dict(sorted(self.reasons.items())), "restarts": self.restarts,
                "joined_at": dict(self.joined_at)}


def _printable(value, width):
    text = "" if value is None else str(value)
    return "".join(c if c.isprintable() else "?" for c in text)[:width]


def format_line(record):
    extra = []
    for key in ("confidence", "score", "probability"):
        if isinstance(record.get(key), (int, float)) and not isinstance(record.get(key), bool):
            extra.append("{} {:.3f}".format(key, record[key]))
    emitter = record.get("emitter")
    if isinstance(emitter, dict) and isinstance(emitter.get("center_hz"), (int, float)):
        extra.append("emitter {} at {:+.1f} kHz".format(_printable(emitter.get("id"), 6), emitter["center_hz"] / 1e3))
    flags = ",".join(_printable(f, 20) for f in record.get("flags") or [])
    offset = record.get("offset")
    return "{:>8} {:<10} {:<16} offset {:>12} {:<12} {}".format(
        record.get("seq", ""), _printable(record.get("source"), 10), _printable(record.get("model"), 16),
        "" if offset is None else offset, _printable(record.get("label"), 12),
        " ".join(extra) + (" [" + flags + "]" if flags else ""))


def run(args):
    import zmq

    endpoint = check_endpoint(args.endpoint, "endpoint", bind=False)
    try:
        out = open(args.jsonl, "a") if args.jsonl else None
    except OSError as error:
        raise ValueError("--jsonl: cannot append to {} ({})".format(args.jsonl, error.strerror or error)) from None
    context = zmq.Context.instance()
    socket = context.socket(zmq.SUB)
    socket.setsockopt(zmq.RCVHWM, 1_000_000)
    socket.setsockopt_string(zmq.SUBSCRIBE, "")
    try:
        socket.connect(endpoint)
    except zmq.ZMQError as error:
        socket.close(linger=0)
        if out:
            out.close()
        raise ValueError("endpoint: cannot connect to '{}' ({})".format(endpoint, error)) from None
    stats = FeedStats()
    print("subscribed to {}".format(endpoint), flush=True)
    began = time.monotonic()
    last = None
    poller = zmq.Poller()
    poller.register(socket, zmq.POLLIN)
    try:
        while True:
            now = time.monotonic()
            if args.duration and now - began >= args.duration:
                break
            if args.idle_timeout and last is not None and now - last >= args.idle_timeout:
                break
            if not poller.poll(100):
                continue
            while True:
                try:
                    frame = socket.recv(zmq.NOBLOCK)
                except zmq.Again:
                    break
                last = time.monotonic()
                record = stats.add_frame(frame, last)
                for notice in stats.notices:
                    print(notice, flush=True)
                stats.notices.clear()
                if record is None:
                    continue
                if out:
                    out.write(frame.decode("utf-8") + "\n")
                if not args.quiet:
                    print(format_line(record))
                if args.count and stats.received >= args.count:
                    raise StopIteration
    except StopIteration:
        pass
    except KeyboardInterrupt:
        pass
    finally:
        if out:
            out.close()
        socket.close(linger=0)
    print("summary: " + json.dumps(stats.summary()), flush=True)
    return 0
