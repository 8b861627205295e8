#!/usr/bin/python3
"""Producer and consumer for the failover interop test (test/cluster/replication-interop.test.ts),
on confluent-kafka (librdkafka) or kafka-python; both run across a SIGKILL of the partition leader.

Usage:
  failover_client.py LIB produce BOOTSTRAP TOPIC
      LIB is "confluent" (enable.idempotence=true, acks=all) or "kafka-python" (acks=all, retries,
      one request in flight). Reads commands from stdin, one a line:
        "send <value>"   sends a keyless record to partition 0
        "flush"          waits until everything sent so far is acknowledged, then prints "FLUSHED <n>"
      At EOF it flushes and prints "DONE <acknowledged> <failed>". Every acknowledgement is printed
      as it arrives: "A <partition> <offset> <value>" (offset -1 when the client did not report one),
      every failed record as "E <value> <error>".
  failover_client.py LIB consume BOOTSTRAP TOPIC COUNT
      Reads partition 0 from the beginning (no group) until COUNT records arrived, printing
      "R <partition> <offset> <value>" for each, then "DONE <count>". Errors the client reports as
      retriable are printed as "W <error>" and reading goes on.

Exits 1 with a message on stderr on an unexpected error or after a 60 s deadline.
"""
import sys
import time

DEADLINE_S = 60.0


def fail(msg):
    sys.stderr.write(msg + "\n")
    sys.stderr.flush()
    sys.exit(1)


def emit(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def confluent_producer(bootstrap, topic):
    from confluent_kafka import Producer
    producer = Producer({
        "bootstrap.servers": bootstrap,
        "enable.idempotence": True,
        "acks": "all",
        "linger.ms": 5,
        "message.timeout.ms": int(DEADLINE_S * 1000),
        "request.timeout.ms": 5000,
        "topic.metadata.refresh.interval.ms": 1000,
    })
    state = {"acked": 0, "failed": 0}

    def on_delivery(err, msg):
        value = msg.value().decode()
        if err is not None:
            state["failed"] += 1
            emit("E %s %s" % (value, str(err).replace("\n", " ")))
        else:
            state["acked"] += 1
            offset = msg.offset()
            emit("A %d %d %s" % (msg.partition(), -1 if offset is None else offset, value))

    def send(value):
        producer.produce(topic, value=value.encode(), partition=0, on_delivery=on_delivery)
        producer.poll(0)

    def flush():
        left = producer.flush(DEADLINE_S)
        if left > 0:
            fail("%d records not delivered within %.0f s" % (left, DEADLINE_S))

    return send, flush, state


def kafka_python_producer(bootstrap, topic):
    from kafka import KafkaProducer
    producer = KafkaProducer(bootstrap_servers=bootstrap.split(","), acks="all", retries=20, retry_backoff_ms=250,
                             max_in_flight_requests_per_connection=1, linger_ms=5,
                             # kafka-python 2.0 expires a batch request_timeout_ms after it was created: longer than a failover.
                             request_timeout_ms=30000,
                             metadata_max_age_ms=1000, api_version_auto_timeout_ms=10000)
    state = {"acked": 0, "failed": 0}

    def send(value):
        def ok(md):
            state["acked"] += 1
            emit("A %d %d %s" % (md.partition, md.offset, value))

        def err(e):
            state["failed"] += 1
            emit("E %s %s" % (value, str(e).replace("\n", " ")))
        producer.send(topic, value=value.encode(), partition=0).add_callback(ok).add_errback(err)

    def flush():
        producer.flush(timeout=DEADLINE_S)

    return send, flush, state


def produce(lib, bootstrap, topic):
    send, flush, state = (confluent_producer if lib == "confluent" else kafka_python_producer)(bootstrap, topic)
    for line in sys.stdin:
        line = line.strip()
        if line.startswith("send "):
            send(line[5:])
        elif line == "flush":
            flush()
            emit("FLUSHED %d" % state["acked"])
    flush()
    emit("DONE %d %d" % (state["acked"], state["failed"]))


def consume_confluent(bootstrap, topic, count):
    from confluent_kafka import Consumer, KafkaError, TopicPartition
    consumer = Consumer({
        "bootstrap.servers": bootstrap,
        "group.id": "kts-failover-unused",  # required by the client; no subscribe() and no commits
        "enable.auto.commit": False,
        "fetch.wait.max.ms": 100,
        "topic.metadata.refresh.interval.ms": 1000,
    })
    consumer.assign([TopicPartition(topic, 0, 0)])
    deadline = time.time() + DEADLINE_S
    read = 0
    while read < count:
        if time.time() > deadline:
            fail("timed out after %d of %d records" % (read, count))
        msg = consumer.poll(0.2)
        if msg is None:
            continue
        if msg.error() is not None:
            if msg.error().retriable() or msg.error().code() == KafkaError._PARTITION_EOF:
                emit("W %s" % msg.error())
                continue
            fail("consumer error: %s" % msg.error())
        emit("R %d %d %s" % (msg.partition(), msg.offset(), msg.value().decode()))
        read += 1
    consumer.close()
    emit("DONE %d" % read)


def consume_kafka_python(bootstrap, topic, count):
    from kafka import KafkaConsumer, TopicPartition
    consumer = KafkaConsumer(bootstrap_servers=bootstrap.split(","), group_id=None, enable_auto_commit=False,
                             auto_offset_reset="earliest", fetch_max_wait_ms=100, request_timeout_ms=5000,
                             metadata_max_age_ms=1000, api_version_auto_timeout_ms=10000)
    tp = TopicPartition(topic, 0)
    consumer.assign([tp])
    consumer.seek(tp, 0)
    deadline = time.time() + DEADLINE_S
    read = 0
    while read < count:
        if time.time() > deadline:
            fail("timed out after %d of %d records" % (read, count))
        for msgs in consumer.poll(timeout_ms=200).values():
            for m in msgs:
                emit("R %d %d %s" % (m.partition, m.offset, m.value.decode()))
                read += 1
    consumer.close()
    emit("DONE %d" % read)


def main():
    args = sys.argv[1:]
    if len(args) < 4 or args[0] not in ("confluent", "kafka-python"):
        fail(__doc__)
    lib, cmd = args[0], args[1]
    if cmd == "produce" and len(args) == 4:
        produce(lib, args[2], args[3])
    elif cmd == "consume" and len(args) == 5:
        (consume_confluent if lib == "confluent" else consume_kafka_python)(args[2], args[3], int(args[4]))
    else:
        fail(__doc__)


if __name__ == "__main__":
    main()
