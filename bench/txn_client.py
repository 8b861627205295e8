#!/usr/bin/python3
"""Transactional benchmark client for bench/transactions.ts (confluent-kafka / librdkafka).

Producers use linger.ms $KTS_BENCH_TXN_LINGER_MS (default 5, librdkafka's default).

  txn_client.py throughput BOOTSTRAP TOPIC N SIZE PER_TXN transactional|plain
      Produces N records of SIZE bytes to partition 0 of TOPIC: in transactions of PER_TXN records
      (begin, produce, commit) or with a plain idempotent producer (flush at the end). Prints
      {"records": N, "seconds": S} once every record is acknowledged (committed).
  txn_client.py latency BOOTSTRAP TOPIC ROUNDS
      Per round: a transaction with one record, flushed, then commit_transaction(); the time from the
      commit call (EndTxn) until a read_committed consumer assigned to the topic receives the
      record. Prints {"latenciesMs": [...]}.
"""
import json
import os
import sys
import time

from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition


def producer(bootstrap, txn_id):
    conf = {"bootstrap.servers": bootstrap, "linger.ms": int(os.environ.get("KTS_BENCH_TXN_LINGER_MS", "5")), "batch.num.messages": 10000,
            "queue.buffering.max.messages": 1000000, "queue.buffering.max.kbytes": 1048576}
    if txn_id:
        conf["transactional.id"] = txn_id
    else:
        conf["enable.idempotence"] = True
    return Producer(conf)


def throughput(bootstrap, topic, n, size, per_txn, mode):
    value = b"x" * size
    p = producer(bootstrap, "bench-%s-%d" % (topic, time.time_ns()) if mode == "transactional" else None)
    if mode == "transactional":
        p.init_transactions(30)
    errors = []

    def cb(err, _msg):
        if err is not None:
            errors.append(str(err))

    start = time.monotonic()
    i = 0
    while i < n:
        end = min(n, i + per_txn) if mode == "transactional" else n
        if mode == "transactional":
            p.begin_transaction()
        while i < end:
            try:
                p.produce(topic, value=value, partition=0, on_delivery=cb)
                i += 1
            except BufferError:
                p.poll(0.01)
        if mode == "transactional":
            p.commit_transaction(60)
    if mode != "transactional":
        p.flush(120)
    seconds = time.monotonic() - start
    if errors:
        sys.stderr.write("delivery failed: %s\n" % errors[0])
        sys.exit(1)
    print(json.dumps({"records": n, "seconds": seconds}))


def latency(bootstrap, topic, rounds):
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": "bench-latency", "isolation.level": "read_committed",
                  "enable.auto.commit": False, "fetch.wait.max.ms": 10, "fetch.error.backoff.ms": 10})
    lo, hi = c.get_watermark_offsets(TopicPartition(topic, 0), timeout=10, cached=False)
    c.assign([TopicPartition(topic, 0, hi)])
    p = producer(bootstrap, "bench-latency-%d" % time.time_ns())
    p.init_transactions(30)
    out = []
    for r in range(rounds):
        marker = ("round-%d" % r).encode()
        p.begin_transaction()
        p.produce(topic, value=marker, partition=0)
        p.flush(30)
        t0 = time.monotonic()
        p.commit_transaction(30)
        deadline = t0 + 30
        while True:
            m = c.poll(0.05)
            if m is not None and m.error() is None and m.value() == marker:
                break
            if time.monotonic() > deadline:
                sys.stderr.write("round %d not visible within 30 s\n" % r)
                sys.exit(1)
        out.append((time.monotonic() - t0) * 1000)
    c.close()
    print(json.dumps({"latenciesMs": out}))


def main():
    a = sys.argv[1:]
    try:
        if a[0] == "throughput":
            throughput(a[1], a[2], int(a[3]), int(a[4]), int(a[5]), a[6])
        elif a[0] == "latency":
            latency(a[1], a[2], int(a[3]))
        else:
            sys.exit("unknown mode %s" % a[0])
    except KafkaException as e:
        sys.stderr.write("kafka error: %s\n" % e)
        sys.exit(1)


if __name__ == "__main__":
    main()
