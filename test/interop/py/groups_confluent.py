#!/usr/bin/python3
"""Consumer-group member for the kts group tests, on confluent-kafka (librdkafka).

Usage:
  groups_confluent.py BOOTSTRAP TOPIC GROUP [librdkafka.key=value ...]

Subscribes to TOPIC in GROUP (enable.auto.commit=false, auto.offset.reset=earliest,
session.timeout.ms=6000, heartbeat.interval.ms=500, max.poll.interval.ms=10000 unless given) and
runs until told to stop. After each polled record it commits the next offset synchronously.
Extra arguments are librdkafka properties (e.g. partition.assignment.strategy=cooperative-sticky,
group.instance.id=i1).

Prints one JSON object per line on stdout, flushed:
  {"ev": "assigned", "partitions": [all currently assigned], "delta": [...], "op": "assign"|"revoke"|"lost"}
  {"ev": "record", "partition", "offset", "value"}
  {"ev": "committed", "partition", "offset"}         (offset = next offset to read, as committed)
  {"ev": "commit_failed", "partition", "offset", "error"}
  {"ev": "nocommit"}                                  (after the nocommit command took effect)
  {"ev": "closed"}
Reads commands on stdin, one per line:
  nocommit   stop committing (records read from now on stay uncommitted)
  close      consumer.close() (leaves the group unless static) and exit 0
EOF on stdin also closes. Exits 1 with a message on stderr on a fatal error.
"""
import os
import sys

from confluent_kafka import Consumer, KafkaException, TopicPartition

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # group_events.py, next to this script
from group_events import deliver, emit, emit_assigned, start_command_reader, state  # noqa: E402


def main():
    if len(sys.argv) < 4:
        sys.stderr.write(__doc__)
        sys.exit(2)
    bootstrap, topic, group = sys.argv[1:4]
    conf = {
        "bootstrap.servers": bootstrap,
        "group.id": group,
        "enable.auto.commit": False,
        "auto.offset.reset": "earliest",
        "session.timeout.ms": 6000,
        "heartbeat.interval.ms": 500,
        "max.poll.interval.ms": 10000,
        "fetch.wait.max.ms": 100,
        "topic.metadata.refresh.interval.ms": 2000,
    }
    for kv in sys.argv[4:]:
        k, v = kv.split("=", 1)
        conf[k] = v
    cooperative = conf.get("partition.assignment.strategy") == "cooperative-sticky"
    consumer = Consumer(conf)
    assigned = set()

    def report(op, partitions):
        emit_assigned(op, (p.partition for p in partitions), assigned)

    def on_assign(c, partitions):
        if cooperative:
            c.incremental_assign(partitions)
        else:
            c.assign(partitions)
        assigned.update(p.partition for p in partitions)
        report("assign", partitions)

    def drop(c, partitions, op):
        if cooperative:
            c.incremental_unassign(partitions)
        else:
            c.unassign()
        assigned.difference_update(p.partition for p in partitions)
        report(op, partitions)

    def on_revoke(c, partitions):
        drop(c, partitions, "revoke")

    def on_lost(c, partitions):
        drop(c, partitions, "lost")

    consumer.subscribe([topic], on_assign=on_assign, on_revoke=on_revoke, on_lost=on_lost)
    start_command_reader()
    while not state["close"]:
        msg = consumer.poll(0.1)
        if msg is None:
            continue
        if msg.error() is not None:
            if msg.error().fatal():
                raise KafkaException(msg.error())
            continue
        p = msg.partition()
        deliver(p, msg.offset(), msg.value(),
                lambda next_offset: consumer.commit(offsets=[TopicPartition(topic, p, next_offset)], asynchronous=False),
                KafkaException)
    consumer.close()
    emit({"ev": "closed"})


if __name__ == "__main__":
    try:
        main()
    except KafkaException as e:
        sys.stderr.write("kafka error: %s\n" % e)
        sys.exit(1)
