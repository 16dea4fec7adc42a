# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""`sentinel watch tcp://HOST:PORT`: subscribe to a detection feed, show it, save it."""

import json
import sys
import time


def add_parser(sub):
    parser = sub.add_parser("watch", help="subscribe to a detection_publisher feed and print it")
    parser.add_argument("endpoint", help="the publisher's address, e.g. tcp://127.0.0.1:5557")
    parser.add_argument("--jsonl", help="also append every detection to this JSON-lines file")
    parser.add_argument("--count", type=int, default=0, help="stop after this many detections")
    parser.add_argument("--duration", type=float, default=0.0, help="stop after this many seconds")
    parser.add_argument("--idle-timeout", type=float, default=0.0,
                        help="stop when nothing arrives for this many seconds (after the first)")
    parser.add_argument("--quiet", action="store_true", help="no per-detection lines, only the summary")
    parser.set_defaults(run=run)
    return parser


class FeedStats:
    """Counts detections and the gaps in each source's sequence numbers (losses)."""

    def __init__(self):
        self.received = 0
        self.lost = 0
        self.malformed = 0
        self._next = {}

    def add(self, record):
        self.received += 1
        source, seq = record.get("source"), record.get("seq")
        if isinstance(seq, int):
            expected = self._next.get(source)
            if expected is not None and seq > expected:
                self.lost += seq - expected
            self._next[source] = seq + 1

    def summary(self):
        return {"received": self.received, "lost": self.lost, "malformed": self.malformed}


def format_line(record):
    label = record.get("label", "")
    extra = []
    for key in ("confidence", "score", "probability"):
        if isinstance(record.get(key), (int, float)):
            extra.append("{} {:.3f}".format(key, record[key]))
    flags = ",".join(record.get("flags") or [])
    return "{:>8} {:<10} {:<16} offset {:>12} {:<12} {}".format(
        record.get("seq", ""), str(record.get("source", ""))[:10], str(record.get("model", ""))[:16],
        record.get("offset", ""), str(label)[:12], " ".join(extra) + (" [" + flags + "]" if flags else ""))


def run(args):
    import zmq

    context = zmq.Context.instance()
    socket = context.socket(zmq.SUB)
    socket.setsockopt(zmq.RCVHWM, 1_000_000)
    socket.setsockopt_string(zmq.SUBSCRIBE, "")
    try:
        socket.connect(args.endpoint)
    except zmq.ZMQError as error:
        raise ValueError("endpoint: cannot connect to '{}' ({})".format(args.endpoint, error)) from None
    out = open(args.jsonl, "a") if args.jsonl else None
    stats = FeedStats()
    print("subscribed to {}".format(args.endpoint), flush=True)
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
                    frame = socket.recv_string(zmq.NOBLOCK)
                except zmq.Again:
                    break
                last = time.monotonic()
                try:
                    record = json.loads(frame)
                    if not isinstance(record, dict):
                        raise ValueError
                except ValueError:
                    stats.malformed += 1
                    continue
                stats.add(record)
                if out:
                    out.write(frame + "\n")
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
    sys.stdout.flush()
    return 0
