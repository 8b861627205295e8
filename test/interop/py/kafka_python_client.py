#!/usr/bin/python3
"""Interop client for kts tests, on kafka-python 2.0.2 (pure Python).

Usage:
  kafka_python_client.py produce BOOTSTRAP TOPIC [API_VERSION]   < lines "key<TAB>value"
      KafkaProducer(acks='all', one request in flight). Prints one JSON object per record, in send
      order: {"partition", "offset", "key", "value"}.
  kafka_python_client.py consume BOOTSTRAP TOPIC [API_VERSION]
      KafkaConsumer(group_id=None) + assign(all partitions) + seek_to_beginning, read up to the end
      offsets taken at start. Prints one JSON object per record.

API_VERSION (e.g. "2.5.0") pins api_version; without it kafka-python probes the broker
(auto-detection). Exits 1 with a message on stderr on any error or after a 30 s deadline.
"""
import json
import os
import sys
import time

from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.errors import KafkaError

DEADLINE_S = float(os.environ.get("KTS_PY_DEADLINE_S", "30"))


def fail(msg):
    sys.stderr.write(msg + "\n")
    sys.exit(1)


def common(bootstrap, api_version):
    opts = {"bootstrap_servers": [bootstrap], "request_timeout_ms": 20000}
    # Extra client settings as JSON (security_protocol, sasl_mechanism, ...): test/interop/security.test.ts
    opts.update(json.loads(os.environ.get("KTS_PY_CLIENT_CONFIG", "{}")))
    if api_version:
        opts["api_version"] = tuple(int(x) for x in api_version.split("."))
    else:
        opts["api_version_auto_timeout_ms"] = 10000
    return opts


def produce(bootstrap, topic, api_version):
    records = [tuple(l.rstrip("\n").split("\t", 1)) for l in sys.stdin if l.strip()]
    producer = KafkaProducer(acks="all", retries=3, max_in_flight_requests_per_connection=1, linger_ms=5,
                             **common(bootstrap, api_version))
    futures = [producer.send(topic, key=k.encode(), value=v.encode()) for k, v in records]
    producer.flush(timeout=DEADLINE_S)
    out = []
    for (k, v), f in zip(records, futures):
        md = f.get(timeout=DEADLINE_S)
        out.append({"partition": md.partition, "offset": md.offset, "key": k, "value": v})
    producer.close(timeout=5)
    sys.stderr.write("api_version in use: %s\n" % (producer.config.get("api_version"),))
    for r in out:
        print(json.dumps(r))


def consume(bootstrap, topic, api_version):
    consumer = KafkaConsumer(group_id=None, enable_auto_commit=False, auto_offset_reset="earliest",
                             fetch_max_wait_ms=100, **common(bootstrap, api_version))
    deadline = time.time() + DEADLINE_S
    parts = None
    while not parts:
        parts = consumer.partitions_for_topic(topic)
        if not parts:
            if time.time() > deadline:
                fail("topic %s not in metadata" % topic)
            time.sleep(0.1)
    tps = [TopicPartition(topic, p) for p in sorted(parts)]
    consumer.assign(tps)
    consumer.seek_to_beginning(*tps)
    end = consumer.end_offsets(tps)
    out = []
    while any(consumer.position(tp) < end[tp] for tp in tps):
        if time.time() > deadline:
            fail("timed out reading: positions %s, end offsets %s" % ({tp.partition: consumer.position(tp) for tp in tps},
                                                                      {tp.partition: o for tp, o in end.items()}))
        for tp, msgs in consumer.poll(timeout_ms=500).items():
            for m in msgs:
                out.append({"partition": m.partition, "offset": m.offset,
                            "key": m.key.decode() if m.key is not None else None,
                            "value": m.value.decode() if m.value is not None else None})
    consumer.close(autocommit=False)
    for r in out:
        print(json.dumps(r))


def main():
    if len(sys.argv) not in (4, 5) or sys.argv[1] not in ("produce", "consume"):
        fail(__doc__)
    cmd, bootstrap, topic = sys.argv[1:4]
    api_version = sys.argv[4] if len(sys.argv) == 5 else None
    try:
        produce(bootstrap, topic, api_version) if cmd == "produce" else consume(bootstrap, topic, api_version)
    except KafkaError as e:
        fail("kafka error: %r" % (e,))


if __name__ == "__main__":
    main()
