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
               and r["publisher"] == publisher.publisher_id for r in records)
    assert json.loads(stdout.strip().splitlines()[-1][len("summary: "):]) == {
        "received": count, "lost": 0, "malformed": 0, "malformed_reasons": {}, "restarts": 0,
        "joined_at": {"test": 0}}
    assert "joined test at seq 0" in stdout.splitlines()
    assert publisher.published() == count
    assert publisher.malformed() == 2
    publisher.close()


def test_watch_counts_gaps_as_losses():
    from gnuradio.sentinel.cli.watch import FeedStats

    stats = FeedStats()
    for seq in (0, 1, 2, 5, 6):
        stats.add({"source": "a", "seq": seq})
    stats.add({"source": "b", "seq": 10})
    assert stats.summary() == {"received": 6, "lost": 2, "malformed": 0, "malformed_reasons": {}, "restarts": 0,
                               "joined_at": {"a": 0, "b": 10}}


def test_publisher_refuses_a_bad_endpoint():
    with pytest.raises(ValueError, match="endpoint"):
        sentinel.detection_publisher("127.0.0.1:5557")
    port = _free_port()
    first = sentinel.detection_publisher("tcp://127.0.0.1:{}".format(port))
    with pytest.raises(ValueError, match="cannot bind"):
        sentinel.detection_publisher("tcp://127.0.0.1:{}".format(port))
    first.close()


def _detection(i):
    return pmt.to_pmt({"offset": 128 * i, "label": "QPSK", "confidence": 0.9, "model": "afnet", "flags": []})


def _wait_for(condition, timeout=20.0):
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.02)
    return condition()


def test_publisher_counts_every_malformed_message_and_keeps_publishing():
    """Every message is published or counted as malformed, and the port keeps working
    after PMT_NIL, an empty dict (which is PMT_NIL), a non-dict, a pair and a dict holding
    a complex number: 20 good + 5 bad -> 20 published in order, 5 malformed."""
    import zmq

    endpoint = "tcp://127.0.0.1:{}".format(_free_port())
    publisher = sentinel.detection_publisher(endpoint, source_name="test")
    subscriber = zmq.Context.instance().socket(zmq.SUB)
    subscriber.setsockopt_string(zmq.SUBSCRIBE, "")
    subscriber.connect(endpoint)
    time.sleep(1.0)  # ZeroMQ's slow joiner
    bad = [pmt.PMT_NIL, pmt.make_dict(), pmt.intern("not a dict"), pmt.cons(pmt.intern("a"), pmt.from_long(1)),
           pmt.dict_add(pmt.make_dict(), pmt.intern("iq"), pmt.from_complex(1 + 2j))]
    source = paced_detections(20, 200.0, malformed=bad)
    top = gr.top_block()
    top.msg_connect(source, "detections", publisher, "detections")
    top.start()
    try:
        assert source.finished.wait(30)
        assert _wait_for(lambda: publisher.published() + publisher.malformed() == 25)
    finally:
        top.stop()
        top.wait()
    assert (publisher.published(), publisher.malformed(), publisher.dropped()) == (20, 5, 0)
    frames = []
    while subscriber.poll(2000):
        frames.append(json.loads(subscriber.recv()))
        if len(frames) == 20:
            break
    subscriber.close(linger=0)
    publisher.close()
    assert [f["seq"] for f in frames] == list(range(20))
    assert [f["offset"] for f in frames] == [128 * i for i in range(20)]
    assert publisher.handle(_detection(0)) is None and publisher.dropped() == 1  # after close(): counted


@pytest.mark.parametrize("endpoint", [
    "tcp://127.0.0.1:99999", "tcp://127.0.0.1:65536", "tcp://127.0.0.1:0", "tcp://127.0.0.1:-1",
    "tcp://127.0.0.1:http", "tcp://127.0.0.1", "tcp://:5557", "tcp://", "udp://127.0.0.1:5557",
    "127.0.0.1:5557", "ipc://", "tcp://127.0.0.1:5557/x", "",
])
def test_publisher_refuses_an_invalid_endpoint_at_construction(endpoint):
    """An invalid endpoint (port outside 1..65535, no port, no host, an unknown scheme)
    is a ValueError naming `endpoint`, never a bind to some other port (ZeroMQ binds
    99999 as 34463)."""
    with pytest.raises(ValueError, match="^endpoint: "):
        sentinel.detection_publisher(endpoint)


def test_publisher_binds_any_free_port_and_reports_it():
    publisher = sentinel.detection_publisher("tcp://127.0.0.1:*")
    host, _, port = publisher.endpoint.rpartition(":")
    assert host == "tcp://127.0.0.1" and 1 <= int(port) <= 65535
    publisher.close()


@pytest.mark.parametrize("limit", [-1, 0, 2 ** 31, "100", 1.5, True, None])
def test_publisher_refuses_a_bad_high_water_mark(limit):
    """high_water_mark=-1 is a ValueError naming the parameter and its range, not
    ZeroMQ's 'Invalid argument'."""
    with pytest.raises(ValueError, match=r"^high_water_mark: .*integer from 1 to 2147483647"):
        sentinel.detection_publisher("tcp://127.0.0.1:{}".format(_free_port()), high_water_mark=limit)


def _stats():
    from gnuradio.sentinel.cli.watch import FeedStats

    return FeedStats(now=0.0)


def _frame(**fields):
    return json.dumps(dict({"schema": SCHEMA, "schema_version": SCHEMA_VERSION, "source": "a",
                            "publisher": "p1"}, **fields)).encode()


def test_watch_counts_undecodable_deep_and_mistyped_frames_as_malformed_and_goes_on():
    """Non-UTF-8 bytes, JSON nested 100,000 deep (and 17 deep), a non-object and valid
    JSON whose fields have unexpected types ({"flags": 5}, {"offset": {}}, {"seq": [1]},
    {"seq": true}) are each one malformed frame; the frames after them are received, and a
    mistyped frame whose seq is usable is not also counted as lost."""
    stats = _stats()
    frames = [b"\xff\xfe{}", b"[" * 100_000 + b"]" * 100_000, b'{"a":' * 17 + b"1" + b"}" * 17,
              b"[1, 2]", b"{not json", _frame(seq=0, flags=5), _frame(seq=1, offset={}), _frame(seq=[1]),
              _frame(seq=True), _frame(seq=2, label=7), _frame(seq=3, source=None),
              _frame(seq=3, confidence="high"), _frame(seq=0, source="b", schema="other/feed"),
              _frame(seq=4, offset=640, label="QPSK", flags=["zero"]), _frame(seq=5)]
    records = [stats.add_frame(f, now=0.1) for f in frames]
    assert [r["seq"] for r in records if r is not None] == [4, 5]
    assert stats.summary() == {
        "received": 2, "lost": 0, "malformed": 13, "restarts": 0, "joined_at": {"a": 0},
        "malformed_reasons": {"bad_field": 7, "foreign_schema": 1, "not_json": 1, "not_object": 1,
                              "not_utf8": 1, "too_deep": 2}}


def test_watch_prints_a_mistyped_record_without_crashing():
    from gnuradio.sentinel.cli.watch import format_line

    line = format_line({"seq": 3, "source": "a\x1b[2J", "label": None, "offset": None, "flags": ["x\n"]})
    assert "\x1b" not in line and "\n" not in line and "None" not in line


def test_watch_detects_a_publisher_restart_and_counts_the_new_runs_missed_start():
    """A restart (a new publisher id for the same source) whose first frame has seq 153
    is 153 lost and one restart, not 0 lost."""
    stats = _stats()
    for seq in range(500):
        stats.add_frame(_frame(seq=seq), now=seq / 1000)
    for seq in range(153, 160):
        stats.add_frame(_frame(seq=seq, publisher="p2"), now=1.0 + seq / 1000)
    summary = stats.summary()
    assert (summary["received"], summary["lost"], summary["restarts"], summary["malformed"]) == (507, 153, 1, 0)
    assert stats.notices[-1].startswith("a: publisher restarted (new id p2) at seq 153: 153 lost")


def test_watch_detects_a_restart_of_a_schema_1_publisher_by_its_seq_going_back():
    stats = _stats()
    for seq in list(range(10)) + list(range(4, 8)):
        stats.add({"source": "a", "seq": seq, "schema_version": 1}, now=0.5)
    assert (stats.received, stats.lost, stats.restarts) == (14, 4, 1)


def test_watch_counts_only_plausible_gaps():
    """A frame with seq 10^18 is one malformed frame (implausible_seq), not 10^18 lost;
    the stream goes on from where it was. A gap is plausible up to MAX_RATE per second
    since the stream's previous frame, plus one second."""
    from gnuradio.sentinel.cli.watch import MAX_RATE

    stats = _stats()
    stats.add_frame(_frame(seq=0), now=0.0)
    stats.add_frame(_frame(seq=1), now=0.0)
    assert stats.add_frame(_frame(seq=10 ** 18), now=0.1) is None
    stats.add_frame(_frame(seq=2), now=0.2)
    stats.add_frame(_frame(seq=5), now=0.3)                      # 3 and 4 lost
    assert stats.add_frame(_frame(seq=6 + 2 * MAX_RATE + 1), now=1.3) is None   # > 2 s of MAX_RATE
    stats.add_frame(_frame(seq=6 + 2 * MAX_RATE), now=1.3)       # exactly 2 s of MAX_RATE: lost
    stats.add_frame(_frame(seq=10 ** 18, publisher="p2"), now=2.0)  # a "restart" that far on: corrupt
    summary = stats.summary()
    assert (summary["received"], summary["lost"], summary["restarts"]) == (5, 2 + 2 * MAX_RATE, 0)
    assert summary["malformed"] == 3 and summary["malformed_reasons"] == {"implausible_seq": 3}


def test_watch_says_where_a_late_subscriber_joined():
    """A first frame with seq 27 is "joined at seq 27" (joined_at in the summary), not
    counted as lost, and said in the output rather than implied to be complete."""
    stats = _stats()
    for seq in range(27, 40):
        stats.add_frame(_frame(seq=seq), now=0.0)
    assert (stats.received, stats.lost, stats.summary()["joined_at"]) == (13, 0, {"a": 27})
    assert stats.notices == ["joined a at seq 27: the 27 detection(s) published before it came before this "
                             "subscription and are not counted as lost"]


def _post(publisher, count, rate, stop=None):
    began = time.monotonic()
    for i in range(count):
        if stop is not None and stop.is_set():
            return
        publisher.handle(_detection(i))
        delay = began + (i + 1) / rate - time.monotonic()
        if delay > 0:
            time.sleep(delay)


def test_watch_end_to_end_late_join_and_publisher_restart(tmp_path):
    """Two processes: watch joins a feed already running (prints "joined test at seq N",
    N > 0), the publisher is closed and a new one binds the same endpoint and starts at
    seq 0; watch counts one restart and, as lost, exactly the new run's frames it missed
    while reconnecting."""
    endpoint = "tcp://127.0.0.1:{}".format(_free_port())
    first = sentinel.detection_publisher(endpoint, source_name="test")
    stop = threading.Event()
    poster = threading.Thread(target=_post, args=(first, 100_000, 500.0, stop), daemon=True)
    poster.start()
    time.sleep(0.5)
    watch, jsonl = _start_watch(endpoint, tmp_path, "--quiet", "--idle-timeout", "3", "--duration", "60")
    time.sleep(1.0)
    stop.set()
    poster.join()
    time.sleep(1.5)        # LINGER: the first run's last frames reach the subscriber
    first.close()
    deadline = time.monotonic() + 10
    while True:            # the old listening socket closes asynchronously
        try:
            second = sentinel.detection_publisher(endpoint, source_name="test")
            break
        except ValueError:
            assert time.monotonic() < deadline
            time.sleep(0.05)
    _post(second, 300, 500.0)
    stdout, stderr = watch.communicate(timeout=60)
    second.close()
    assert watch.returncode == 0, stderr
    summary = json.loads(stdout.strip().splitlines()[-1][len("summary: "):])
    records = [json.loads(line) for line in jsonl.read_text().splitlines()]
    runs = [[r["seq"] for r in records if r["publisher"] == p.publisher_id] for p in (first, second)]
    assert runs[0] == list(range(runs[0][0], first.published()))       # joined late, then nothing lost
    assert runs[1] == list(range(runs[1][0], 300))
    assert runs[0][0] > 0 and "joined test at seq {}: ".format(runs[0][0]) in stdout
    assert (summary["received"], summary["lost"], summary["restarts"], summary["malformed"]) == (
        len(records), runs[1][0], 1, 0)
    assert summary["joined_at"] == {"test": runs[0][0]}
    assert "test: publisher restarted (new id {}) at seq {}".format(second.publisher_id, runs[1][0]) in stdout


def test_watch_refuses_a_jsonl_file_it_cannot_write_in_one_line(tmp_path, capsys):
    from gnuradio.sentinel.cli import main

    (tmp_path / "a_file").write_text("")
    assert main(["watch", "tcp://127.0.0.1:5557", "--jsonl", str(tmp_path / "a_file" / "feed.jsonl")]) == 2
    assert capsys.readouterr().err.strip() == "sentinel watch: error: --jsonl: cannot append to {} (Not a " \
        "directory)".format(tmp_path / "a_file" / "feed.jsonl")
