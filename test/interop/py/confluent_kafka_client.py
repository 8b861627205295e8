#!/usr/bin/python3
"""Interop client for kts tests, on confluent-kafka (librdkafka).

Usage:
  confluent_kafka_client.py produce BOOTSTRAP TOPIC   < lines "key<TAB>value"
      Idempotent producer (enable.idempotence=true, hence acks=all). Prints one JSON object per
      delivered record, in send order: {"partition", "offset", "key", "value"}.
  confluent_kafka_client.py consume BOOTSTRAP TOPIC
      No consumer group: assign() every partition at offset 0 and read up to the high watermark
      taken at start. Prints one JSON object per record: {"partition", "offset", "key", "value"}.

Exits 1 with a message on stderr on any error or after a 30 s deadline.
"""
import json
import os
import sys
import time

from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition

DEADLINE_S = float(os.environ.get("KTS_PY_DEADLINE_S", "30"))
# Extra client settings as JSON (security.protocol, sasl.*, ssl.*): test/interop/security.test.ts
EXTRA = json.loads(os.environ.get("KTS_PY_CLIENT_CONFIG", "{}"))


def fail(msg):
    sys.stderr.write(msg + "\n")
    sys.exit(1)


def produce(bootstrap, topic):
    lines = [l.rstrip("\n") for l in sys.stdin if l.strip()]
    records = [tuple(l.split("\t", 1)) for l in lines]
    producer = Producer({**EXTRA,
        "bootstrap.servers": bootstrap,
        "enable.idempotence": True,
        "acks": "all",
        "linger.ms": 5,
        "message.timeout.ms": int(DEADLINE_S * 1000),
    })
    reports = [None] * len(records)
    errors = []

    def on_delivery(index):
        def cb(err, msg):
            if err is not None:
                errors.append("record %d: %s" % (index, err))
            else:
                reports[index] = {"partition": msg.partition(), "offset": msg.offset(),
                                  "key": msg.key().decode(), "value": msg.value().decode()}
        return cb

    for i, (key, value) in enumerate(records):
        while True:
            try:
                producer.produce(topic, key=key.encode(), value=value.encode(), on_delivery=on_delivery(i))
                break
            except BufferError:
                producer.poll(0.1)
        producer.poll(0)
    left = producer.flush(DEADLINE_S)
    if left > 0:
        fail("%d records not delivered within %.0f s" % (left, DEADLINE_S))
    if errors:
        fail("delivery failed: " + "; ".join(errors[:5]))
    for r in reports:
        print(json.dumps(r))


def consume(bootstrap, topic):
    consumer = Consumer({**EXTRA,
        "bootstrap.servers": bootstrap,
        "group.id": "kts-interop-unused",  # required by the client; no subscribe() and no commits
        "enable.auto.commit": False,
        "enable.partition.eof": False,
        "fetch.wait.max.ms": 100,
    })
    deadline = time.time() + DEADLINE_S
    md = consumer.list_topics(topic, timeout=DEADLINE_S)
    tmd = md.topics.get(topic)
    if tmd is None or tmd.error is not None:
        fail("topic %s not in metadata: %s" % (topic, tmd.error if tmd else "missing"))
    partitions = sorted(tmd.partitions.keys())
    high = {}
    for p in partitions:
        low, hi = consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=DEADLINE_S)
        high[p] = hi
    consumer.assign([TopicPartition(topic, p, 0) for p in partitions if high[p] > 0])
    pending = {p for p in partitions if high[p] > 0}
    out = []
    while pending:
        if time.time() > deadline:
            fail("timed out reading: partitions %s not at their high watermark %s" % (sorted(pending), high))
        msg = consumer.poll(0.5)
        if msg is None:
            continue
        if msg.error() is not None:
            raise KafkaException(msg.error())
        p = msg.partition()
        out.append({"partition": p, "offset": msg.offset(),
                    "key": msg.key().decode() if msg.key() is not None else None,
                    "value": msg.value().decode() if msg.value() is not None else None})
        if msg.offset() >= high[p] - 1:
            pending.discard(p)
    consumer.close()
    for r in out:
        print(json.dumps(r))


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ("produce", "consume"):
        fail(__doc__)
    cmd, bootstrap, topic = sys.argv[1:]
    try:
        produce(bootstrap, topic) if cmd == "produce" else consume(bootstrap, topic)
    except KafkaException as e:
        fail("kafka error: %s" % e)


if __name__ == "__main__":
    main()
