#!/usr/bin/python3
"""Consumer-group member for the kts group tests, on kafka-python 2.0.2 (pure Python).

Usage:
  groups_kafka_python.py BOOTSTRAP TOPIC GROUP CLIENT_ID [range|roundrobin]

Subscribes to TOPIC in GROUP with the given assignor (default range; enable_auto_commit=False,
auto_offset_reset=earliest, session_timeout_ms=6000, heartbeat_interval_ms=500,
max_poll_interval_ms=10000) and runs until told to stop. After each polled record it commits the
next offset synchronously.

Prints one JSON object per line on stdout, flushed (same events as groups_confluent.py):
  {"ev": "assigned", "partitions": [all currently assigned], "delta": [...], "op": "assign"|"revoke"}
  {"ev": "record", "partition", "offset", "value"}
  {"ev": "committed", "partition", "offset"}         (offset = next offset to read, as committed)
  {"ev": "commit_failed", "partition", "offset", "error"}
  {"ev": "nocommit"}                                  (after the nocommit command took effect)
  {"ev": "closed"}
Reads commands on stdin, one per line: `nocommit` (stop committing), `close` (close() — which
sends LeaveGroup — and exit 0). EOF on stdin also closes.
"""
import os
import sys

from kafka import ConsumerRebalanceListener, KafkaConsumer, OffsetAndMetadata, TopicPartition
from kafka.coordinator.assignors.range import RangePartitionAssignor
from kafka.coordinator.assignors.roundrobin import RoundRobinPartitionAssignor
from kafka.errors import CommitFailedError, KafkaError

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # group_events.py, next to this script
from group_events import deliver, emit, emit_assigned, start_command_reader, state  # noqa: E402


class Listener(ConsumerRebalanceListener):
    def __init__(self):
        self.assigned = set()

    def on_partitions_revoked(self, revoked):
        self.assigned.difference_update(tp.partition for tp in revoked)
        emit_assigned("revoke", (tp.partition for tp in revoked), self.assigned)

    def on_partitions_assigned(self, assigned):
        self.assigned.update(tp.partition for tp in assigned)
        emit_assigned("assign", (tp.partition for tp in assigned), self.assigned)


def main():
    if len(sys.argv) not in (5, 6):
        sys.stderr.write(__doc__)
        sys.exit(2)
    bootstrap, topic, group, client_id = sys.argv[1:5]
    assignor = {"range": RangePartitionAssignor, "roundrobin": RoundRobinPartitionAssignor}[sys.argv[5] if len(sys.argv) == 6 else "range"]
    consumer = KafkaConsumer(
        bootstrap_servers=[bootstrap], group_id=group, client_id=client_id, enable_auto_commit=False, auto_offset_reset="earliest",
        session_timeout_ms=6000, heartbeat_interval_ms=500, max_poll_interval_ms=10000, fetch_max_wait_ms=100,
        request_timeout_ms=15000, metadata_max_age_ms=2000, partition_assignment_strategy=[assignor],
        api_version_auto_timeout_ms=10000)
    consumer.subscribe([topic], listener=Listener())
    start_command_reader()
    while not state["close"]:
        for tp, msgs in consumer.poll(timeout_ms=100).items():
            for m in msgs:
                deliver(m.partition, m.offset, m.value,
                        lambda next_offset, tp=tp: consumer.commit({tp: OffsetAndMetadata(next_offset, None)}),
                        (CommitFailedError, KafkaError), repr)
    consumer.close(autocommit=False)
    emit({"ev": "closed"})


if __name__ == "__main__":
    try:
        main()
    except KafkaError as e:
        sys.stderr.write("kafka error: %r\n" % (e,))
        sys.exit(1)
