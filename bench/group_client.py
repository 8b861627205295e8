#!/usr/bin/python3
"""Consumer processes for bench/groups.ts, on confluent-kafka (librdkafka).

Usage:
  group_client.py create BOOTSTRAP TOPIC PARTITIONS
      Creates TOPIC (replication factor 1) with the admin client; prints {"ev": "created"}.
  group_client.py member BOOTSTRAP TOPIC GROUP HEARTBEAT_MS
      subscribe() as a member of GROUP (auto.offset.reset=earliest, enable.auto.commit=true).
  group_client.py assigned BOOTSTRAP TOPIC
      assign() every partition of TOPIC at the beginning, no group.
  group_client.py commits BOOTSTRAP TOPIC GROUP SECONDS
      Joins GROUP, then commits the offset of one partition again and again: synchronous commits
      for SECONDS, then asynchronous ones (pipelined) for SECONDS; prints
      {"ev": "commits", "sync": n, "sync_s": s, "async": n, "async_s": s}.

member / assigned: partitions are paused as soon as they are assigned, and the process prints
{"ev": "assigned", "t": wall-clock s, "parts": [...]} (also {"ev": "revoked", ...}). Commands on
stdin, one a line:
  go     resume the assignment and read each assigned partition up to the high watermark taken
         now; prints {"ev": "done", "t0": s, "t1": s, "count": records}. Later assignments are
         not paused.
  leave  prints {"ev": "leaving", "t": s}, then close() (LeaveGroup) and exit.
  quit   close() and exit.
Times are time.time() (one clock for all processes of the machine). Exits 1 with a message on
stderr on an error; a process left alone exits after 300 s.
"""
import json
import os
import select
import sys
import time

from confluent_kafka import Consumer, KafkaError, KafkaException, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

DEADLINE_S = 300.0
FETCH_CONF = {
    # Enough prefetch that the consumer, not librdkafka's queue, is the limit.
    "queued.min.messages": 1000000,
    "fetch.wait.max.ms": 10,
}


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def fail(msg):
    sys.stderr.write(msg + "\n")
    sys.stderr.flush()
    os._exit(1)


def create(bootstrap, topic, partitions):
    admin = AdminClient({"bootstrap.servers": bootstrap})
    futures = admin.create_topics([NewTopic(topic, num_partitions=int(partitions), replication_factor=1)],
                                  operation_timeout=30, request_timeout=30)
    for f in futures.values():
        f.result(timeout=60)
    emit({"ev": "created"})


class Reader:
    """Paused-until-go consumption of whatever is assigned."""

    def __init__(self, consumer):
        self.c = consumer
        self.started = False
        self.target = None
        self.count = 0
        self.t0 = 0.0

    def on_assign(self, consumer, parts):
        consumer.assign(parts)
        if not self.started:
            consumer.pause(parts)
        emit({"ev": "assigned", "t": time.time(), "parts": sorted(p.partition for p in parts)})

    def on_revoke(self, consumer, parts):
        emit({"ev": "revoked", "t": time.time(), "parts": sorted(p.partition for p in parts)})

    def go(self):
        parts = self.c.assignment()
        total = 0
        for tp in parts:
            lo, hi = self.c.get_watermark_offsets(TopicPartition(tp.topic, tp.partition), timeout=30, cached=False)
            total += hi - lo
        self.target = total
        self.started = True
        self.t0 = time.time()
        self.c.resume(parts)

    def poll(self):
        msgs = self.c.consume(num_messages=10000, timeout=0.05)
        for m in msgs:
            err = m.error()
            if err is None:
                self.count += 1
            elif err.code() != KafkaError._PARTITION_EOF:
                fail("consume error: %s" % err)
        if self.target is not None and self.count >= self.target:
            emit({"ev": "done", "t0": self.t0, "t1": time.time(), "count": self.count})
            self.target = None


def commands():
    """Lines available on stdin now (non-blocking)."""
    out = []
    while select.select([sys.stdin], [], [], 0)[0]:
        line = sys.stdin.readline()
        if line == "":
            out.append("quit")
            break
        out.append(line.strip())
    return out


def run_consumer(conf, topic, subscribe):
    c = Consumer(conf)
    r = Reader(c)
    if subscribe:
        c.subscribe([topic], on_assign=r.on_assign, on_revoke=r.on_revoke)
    else:
        md = c.list_topics(topic, timeout=30)
        t = md.topics.get(topic)
        if t is None or t.error is not None or not t.partitions:
            fail("no metadata for %s: %s" % (topic, None if t is None else t.error))
        r.on_assign(c, [TopicPartition(topic, p, -2) for p in sorted(t.partitions)])  # -2 = OFFSET_BEGINNING
    deadline = time.time() + DEADLINE_S
    while time.time() < deadline:
        for cmd in commands():
            if cmd == "go":
                r.go()
            elif cmd == "leave":
                emit({"ev": "leaving", "t": time.time()})
                c.close()
                emit({"ev": "left", "t": time.time()})
                return
            elif cmd == "quit":
                c.close()
                return
        r.poll()
    fail("no quit within %.0f s" % DEADLINE_S)


def commit_bench(bootstrap, topic, group, seconds):
    seconds = float(seconds)
    assigned = []
    phase = {"async": False}
    done = [0]
    errors = []

    def on_commit(err, parts):
        if not phase["async"]:
            return
        if err is not None:
            errors.append(str(err))
        done[0] += 1

    c = Consumer({"bootstrap.servers": bootstrap, "group.id": group, "enable.auto.commit": False,
                  "auto.offset.reset": "earliest", "on_commit": on_commit})
    c.subscribe([topic], on_assign=lambda cons, parts: assigned.extend(parts))
    deadline = time.time() + 60
    while not assigned:
        if time.time() > deadline:
            fail("no assignment within 60 s")
        c.poll(0.05)
    tp = assigned[0]
    offset = 0

    n_sync = 0
    t0 = time.time()
    while time.time() - t0 < seconds:
        offset += 1
        c.commit(offsets=[TopicPartition(tp.topic, tp.partition, offset)], asynchronous=False)
        n_sync += 1
    sync_s = time.time() - t0

    # Asynchronous commits from the same member, pipelined; acknowledgements counted by on_commit.
    c.poll(0)  # serve any callback of the synchronous phase first
    phase["async"] = True
    n_async = 0
    t0 = time.time()
    while time.time() - t0 < seconds:
        offset += 1
        c.commit(offsets=[TopicPartition(tp.topic, tp.partition, offset)], asynchronous=True)
        n_async += 1
        c.poll(0.001 if n_async - done[0] > 1000 else 0)  # bound the backlog
    while done[0] < n_async and time.time() - t0 < seconds + 30:
        c.poll(0.01)
    async_s = time.time() - t0
    if errors:
        fail("async commit errors: %s" % errors[:3])
    if done[0] < n_async:
        fail("%d async commits not acknowledged" % (n_async - done[0]))
    got = c.committed([TopicPartition(tp.topic, tp.partition)], timeout=30)[0].offset
    if got != offset:
        fail("committed offset %d, expected %d" % (got, offset))
    emit({"ev": "commits", "sync": n_sync, "sync_s": sync_s, "async": n_async, "async_s": async_s})
    c.close()


def main():
    if len(sys.argv) < 4:
        fail(__doc__)
    mode, bootstrap, topic = sys.argv[1:4]
    try:
        if mode == "create":
            create(bootstrap, topic, sys.argv[4])
        elif mode == "member":
            group, heartbeat_ms = sys.argv[4], int(sys.argv[5])
            run_consumer(dict(FETCH_CONF, **{
                "bootstrap.servers": bootstrap, "group.id": group, "auto.offset.reset": "earliest",
                "enable.auto.commit": True, "heartbeat.interval.ms": heartbeat_ms,
                "session.timeout.ms": max(6000, 3 * heartbeat_ms),
            }), topic, subscribe=True)
        elif mode == "assigned":
            run_consumer(dict(FETCH_CONF, **{"bootstrap.servers": bootstrap, "group.id": "unused",
                                              "enable.auto.commit": False}), topic, subscribe=False)
        elif mode == "commits":
            commit_bench(bootstrap, topic, sys.argv[4], sys.argv[5])
        else:
            fail("unknown mode %s" % mode)
    except KafkaException as e:
        fail("%s: %s" % (mode, e))


if __name__ == "__main__":
    main()
