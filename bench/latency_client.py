#!/usr/bin/python3
"""End-to-end latency clients for bench/io.ts, on confluent-kafka (librdkafka), one process each.

Usage:
  latency_client.py consume BOOTSTRAP TOPIC COUNT DEADLINE_S FETCH_WAIT_MS
      assign() partition 0 of TOPIC at its high watermark (no group, no commits) and poll() it
      (fetch.wait.max.ms=FETCH_WAIT_MS, fetch.min.bytes=1);
      prints {"ev": "ready"} once the first poll() returned, then reads until COUNT measured records
      have arrived, or until a line "stop" comes on stdin, or DEADLINE_S passed, and prints
      {"ev": "done", "count": n, "warmup": n, "p50": ms, "p99": ms, "p999": ms, "max": ms,
      "mean": ms, "out_of_order": n, "stopped": bool} (percentiles of the records that arrived).
  latency_client.py produce BOOTSTRAP TOPIC RATE SECONDS WARMUP_S SIZE FLUSH_S
      Producer with linger.ms=0, acks=1: WARMUP_S seconds of warm-up records, then RATE*SECONDS
      measured records, paced at RATE records/s (each sent when due by the clock; the loop sleeps
      in between); each record is SIZE bytes. Then flush() for at most FLUSH_S seconds and print
      {"ev": "sent", "count": n, "warmup": n, "seconds": s, "errors": n, "acked": n, "unacked": n,
      "ack_p50": ms, "ack_p99": ms, "ack_max": ms} (ack = produce() until the delivery report is
      served by poll(), which runs after every send; acked/unacked: measured records with / still
      without a delivery report when flush() returned; the rest are then purged: a broker that
      cannot keep up with RATE is reported, not waited for without end).

Record value: b"W" (warm-up) or b"M" (measured), 8-byte big-endian CLOCK_MONOTONIC nanoseconds
taken right before produce(), 8-byte big-endian sequence number, filler up to SIZE. The latency of
a measured record is the consumer's CLOCK_MONOTONIC when poll() hands it over minus that stamp:
both processes run on this machine, and CLOCK_MONOTONIC is one clock for all its processes.
Exits 1 with one line on stderr on an error (delivery failure, wrong count, deadline passed).
"""
import json
import os
import select
import struct
import sys
import time

from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition, OFFSET_END

HEADER = struct.Struct(">cQQ")


def now_ns():
    return time.clock_gettime_ns(time.CLOCK_MONOTONIC)


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def fail(msg):
    sys.stderr.write(msg + "\n")
    sys.stderr.flush()
    os._exit(1)


def percentiles(values_ns):
    """p50/p99/p99.9/max/mean in ms of a list of nanosecond figures (nearest-rank)."""
    if not values_ns:
        return {"p50": None, "p99": None, "p999": None, "max": None, "mean": None}
    v = sorted(values_ns)
    n = len(v)

    def rank(p):
        return v[min(n - 1, max(0, -(-p * n // 1000) - 1))] / 1e6

    return {"p50": rank(500), "p99": rank(990), "p999": rank(999), "max": v[-1] / 1e6, "mean": sum(v) / n / 1e6}


def stop_requested():
    """True once a line "stop" is readable on stdin (never blocks)."""
    while select.select([sys.stdin], [], [], 0)[0]:
        line = sys.stdin.readline()
        if line == "" or line.strip() == "stop":
            return True
    return False


def consume(bootstrap, topic, count, deadline_s, fetch_wait_ms):
    count = int(count)
    deadline = time.monotonic() + float(deadline_s)
    c = Consumer({
        "bootstrap.servers": bootstrap,
        "group.id": "kts-bench-latency",  # required by the client; assign() uses no group
        "enable.auto.commit": False,
        "enable.auto.offset.store": False,
        "enable.partition.eof": False,
        "fetch.wait.max.ms": int(fetch_wait_ms),
        "fetch.min.bytes": 1,
    })
    try:
        _, high = c.get_watermark_offsets(TopicPartition(topic, 0), timeout=30)
    except KafkaException as e:
        fail(f"get_watermark_offsets {topic}: {e}")
    c.assign([TopicPartition(topic, 0, high if high >= 0 else OFFSET_END)])
    lat = []
    warm = 0
    last_seq = -1
    out_of_order = 0
    ready = False
    stopped = False
    next_check = 0.0
    while len(lat) < count:
        mono = time.monotonic()
        if mono > deadline:
            fail(f"consumer: {len(lat)} of {count} measured records after {deadline_s} s")
        if mono >= next_check:
            next_check = mono + 0.05
            if stop_requested():
                stopped = True
                break
        m = c.poll(0.05)
        if not ready:
            emit({"ev": "ready"})
            ready = True
        if m is None:
            continue
        t = now_ns()
        if m.error():
            fail(f"consumer: {m.error()}")
        kind, sent, seq = HEADER.unpack_from(m.value())
        if kind == b"W":
            warm += 1
            continue
        if seq != last_seq + 1:
            out_of_order += 1
        last_seq = seq
        lat.append(t - sent)
    c.close()
    emit({"ev": "done", "count": len(lat), "warmup": warm, "out_of_order": out_of_order, "stopped": stopped, **percentiles(lat)})


def produce(bootstrap, topic, rate, seconds, warmup_s, size, flush_s):
    rate = int(rate)
    measured = int(rate * float(seconds))
    warmup = int(rate * float(warmup_s))
    size = max(int(size), HEADER.size)
    filler = b"x" * (size - HEADER.size)
    p = Producer({
        "bootstrap.servers": bootstrap,
        "linger.ms": 0,
        "acks": 1,
        "enable.idempotence": False,
        "queue.buffering.max.messages": 1000000,
    })
    errors = []
    acks = []

    def on_delivery(err, msg):
        if err is not None:
            errors.append(str(err))
            return
        kind, sent, _ = HEADER.unpack_from(msg.value())
        if kind == b"M":
            acks.append(now_ns() - sent)

    # Metadata first, so that the first record does not wait for it.
    p.list_topics(topic, timeout=30)
    total = warmup + measured
    period = 1e9 / rate
    t0 = now_ns()
    measured_t0 = None
    i = 0
    while i < total:
        now = now_ns()
        due = min(total, int((now - t0) / period) + 1)
        while i < due:
            kind = b"W" if i < warmup else b"M"
            if kind == b"M" and measured_t0 is None:
                measured_t0 = now
            seq = i - warmup if kind == b"M" else i
            p.produce(topic, HEADER.pack(kind, now_ns(), seq) + filler, partition=0, on_delivery=on_delivery)
            i += 1
        p.poll(0)
        wait = t0 + i * period - now_ns()
        if wait > 0:
            time.sleep(wait / 1e9)
    sent_seconds = (now_ns() - measured_t0) / 1e9 if measured_t0 is not None else 0.0
    left = p.flush(float(flush_s))
    if errors:
        fail(f"producer: {len(errors)} delivery errors, first: {errors[0]}")
    acked = len(acks)
    ack = percentiles(acks)
    emit({"ev": "sent", "count": measured, "warmup": warmup, "seconds": sent_seconds, "errors": 0,
          "acked": acked, "unacked": measured - acked, "queued": left,
          "ack_p50": ack["p50"], "ack_p99": ack["p99"], "ack_max": ack["max"]})
    if left:
        # Not waited for: drop what is queued or in flight and leave without librdkafka's wait.
        p.purge()
        p.flush(1)
        os._exit(0)


def main(argv):
    if len(argv) >= 2 and argv[1] == "consume" and len(argv) == 7:
        consume(*argv[2:])
    elif len(argv) >= 2 and argv[1] == "produce" and len(argv) == 9:
        produce(*argv[2:])
    else:
        fail(__doc__.strip().split("\n\n")[1])


if __name__ == "__main__":
    try:
        main(sys.argv)
    except KeyboardInterrupt:
        os._exit(130)
    except Exception as e:  # one line, not a traceback
        fail(f"latency_client.py: {type(e).__name__}: {e}")
