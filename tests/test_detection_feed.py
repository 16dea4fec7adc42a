# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""ZeroMQ detection feed: detection_publisher -> `sentinel watch`, two processes on loopback."""

import json
import socket
import subprocess
import sys
import threading
import time

import pmt
import pytest
from gnuradio import gr

from gnuradio import sentinel
from gnuradio.sentinel.detection_publisher import SCHEMA, SCHEMA_VERSION


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class paced_detections(gr.basic_block):
    """Posts `count` detection dicts at `rate` per second, plus the given malformed messages."""

    def __init__(self, count, rate, malformed=()):
        gr.basic_block.__init__(self, name="paced_detections", in_sig=None, out_sig=None)
        self.message_port_register_out(pmt.intern("detections"))
        self.count, self.rate, self.malformed = count, rate, list(malformed)
        self.finished = threading.Event()

    def start(self):
        threading.Thread(target=self._post, daemon=True).start()
        return True

    def _post(self):
        port = pmt.intern("detections")
        began = time.monotonic()
        for i in range(self.count):
            if i == self.count // 2:
                for bad in self.malformed:
                    self.message_port_pub(port, bad)
            self.message_port_pub(port, pmt.to_pmt({"offset": 128 * i, "label": "QPSK", "confidence": 0.9,
                                                    "model": "afnet", "flags": [], "probabilities": [0.1, 0.9]}))
            delay = began + (i + 1) / self.rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
        self.finished.set()


def _start_watch(endpoint, tmp_path, *extra):
    jsonl = tmp_path / "feed.jsonl"
    watch = subprocess.Popen([sys.executable, "-m", "gnuradio.sentinel.cli", "watch", endpoint, "--jsonl", str(jsonl),
                              *extra], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert watch.stdout.readline().startswith("subscribed"), watch.stderr.read()
    time.sleep(1.0)  # let the subscription reach the publisher (ZeroMQ's slow joiner)
    return watch, jsonl


def test_feed_delivers_every_detection_at_1000_per_second_for_10_s(tmp_path):
    endpoint = "tcp://127.0.0.1:{}".format(_free_port())
    count = 10_000
    top = gr.top_block()
    publisher = sentinel.detection_publisher(endpoint, source_name="test")
    watch, jsonl = _start_watch(endpoint, tmp_path, "--count", str(count), "--quiet", "--idle-timeout", "10")
    source = paced_detections(count, 1000.0, malformed=[pmt.intern("not a dict"), pmt.cons(pmt.intern("a"), pmt.from_long(1))])
    top.msg_connect(source, "detections", publisher, "detections")
    top.start()
    assert source.finished.wait(60)
    stdout, stderr = watch.communicate(timeout=60)
    top.stop()
    top.wait()
    assert watch.returncode == 0, stderr
    records = [json.loads(line) for line in jsonl.read_text().splitlines()]
    assert len(records) == count
    assert [r["seq"] for r in records] == list(range(count))
    assert [r["offset"] for r in records] == [128 * i for i in range(count)]
    assert all(r["schema"] == SCHEMA and r["schema_version"] == SCHEMA_VERSION and r["source"] == "test"
               for r in records)
    assert json.loads(stdout.strip().splitlines()[-1][len("summary: "):]) == {
        "received": count, "lost": 0, "malformed": 0}
    assert publisher.published() == count
    assert publisher.malformed() == 2
    publisher.close()


def test_watch_counts_gaps_as_losses():
    from gnuradio.sentinel.cli.watch import FeedStats

    stats = FeedStats()
    for seq in (0, 1, 2, 5, 6):
        stats.add({"source": "a", "seq": seq})
    stats.add({"source": "b", "seq": 10})
    assert stats.summary() == {"received": 6, "lost": 2, "malformed": 0}


def test_publisher_refuses_a_bad_endpoint():
    with pytest.raises(ValueError, match="endpoint"):
        sentinel.detection_publisher("127.0.0.1:5557")
    port = _free_port()
    first = sentinel.detection_publisher("tcp://127.0.0.1:{}".format(port))
    with pytest.raises(ValueError, match="cannot bind"):
        sentinel.detection_publisher("tcp://127.0.0.1:{}".format(port))
    first.close()
