#!/usr/bin/python3
"""Transactional interop client for kts tests, on confluent-kafka (librdkafka).

Usage:
  txn_confluent.py produce BOOTSTRAP TOPIC TXN_ID N PREFIX commit|abort|hang [PER_TXN]
      Transactional producer: N records "PREFIX-i" (key "k-i", round-robin partitions) in
      transactions of PER_TXN (default N), each committed or aborted; `hang` leaves the last one
      open, prints "open" and waits to be killed. Prints "done" at the end.
  txn_confluent.py ctp BOOTSTRAP IN OUT GROUP TXN_ID N PER_TXN
      Consume-transform-produce: a group consumer (read_committed, no auto commit) reads N records of
      IN and writes "<value>-out" to OUT, in transactions of PER_TXN records that also commit the
      consumed offsets (send_offsets_to_transaction). Prints "done".
  txn_confluent.py consume BOOTSTRAP TOPIC read_committed|read_uncommitted
      No group: assign() every partition from offset 0 up to the end offset for the isolation
      level (ListOffsets). Prints one JSON object per record: {"partition", "offset", "value"}.

Exits 1 with a message on stderr on any error or after a 40 s deadline.
"""
import json
import sys
import time

from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition

DEADLINE_S = 40.0


def fail(msg):
    sys.stderr.write(msg + "\n")
    sys.exit(1)


def txn_producer(bootstrap, txn_id):
    p = Producer({
        "bootstrap.servers": bootstrap,
        "transactional.id": txn_id,
        "transaction.timeout.ms": 60000,
        "linger.ms": 5,
        "message.timeout.ms": int(DEADLINE_S * 1000),
    })
    p.init_transactions(DEADLINE_S)
    return p


def partitions_of(bootstrap, topic):
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": "unused"})
    md = c.list_topics(topic, timeout=10)
    c.close()
    return sorted(md.topics[topic].partitions.keys())


def produce(bootstrap, topic, txn_id, n, prefix, outcome, per_txn):
    parts = partitions_of(bootstrap, topic)
    p = txn_producer(bootstrap, txn_id)
    errors = []

    def cb(err, msg):
        if err is not None:
            errors.append(str(err))

    i = 0
    while i < n:
        p.begin_transaction()
        end = min(n, i + per_txn)
        while i < end:
            p.produce(topic, key=("k-%d" % i).encode(), value=("%s-%d" % (prefix, i)).encode(),
                      partition=parts[i % len(parts)], on_delivery=cb)
            p.poll(0)
            i += 1
        last = i >= n
        if outcome == "hang" and last:
            p.flush(DEADLINE_S)
            if errors:
                fail("delivery failed: %s" % errors[0])
            print("open", flush=True)
            time.sleep(600)
        if outcome == "abort":
            p.flush(DEADLINE_S)  # the records reach the log before the abort (else librdkafka purges them)
            p.abort_transaction(DEADLINE_S)
        else:
            p.commit_transaction(DEADLINE_S)
    if errors:
        fail("delivery failed: %s" % errors[0])
    print("done", flush=True)


def ctp(bootstrap, src, dst, group, txn_id, n, per_txn):
    consumer = Consumer({
        "bootstrap.servers": bootstrap,
        "group.id": group,
        "enable.auto.commit": False,
        "auto.offset.reset": "earliest",
        "isolation.level": "read_committed",
        "session.timeout.ms": 6000,
        "heartbeat.interval.ms": 500,
    })
    consumer.subscribe([src])
    p = txn_producer(bootstrap, txn_id)
    deadline = time.time() + DEADLINE_S
    done = 0
    while done < n:
        if time.time() > deadline:
            fail("only %d of %d records transformed" % (done, n))
        msgs = consumer.consume(num_messages=min(per_txn, n - done), timeout=1.0)
        msgs = [m for m in msgs if m.error() is None]
        if not msgs:
            continue
        p.begin_transaction()
        for m in msgs:
            p.produce(dst, key=m.key(), value=m.value() + b"-out")
        p.send_offsets_to_transaction(consumer.position(consumer.assignment()), consumer.consumer_group_metadata(), DEADLINE_S)
        p.commit_transaction(DEADLINE_S)
        done += len(msgs)
    consumer.close()
    print("done", flush=True)


def consume(bootstrap, topic, isolation):
    c = Consumer({
        "bootstrap.servers": bootstrap,
        "group.id": "txn-check-%d" % time.time_ns(),
        "enable.auto.commit": False,
        "isolation.level": isolation,
        "enable.partition.eof": True,
    })
    parts = partitions_of(bootstrap, topic)
    ends = {}
    for part in parts:
        lo, hi = c.get_watermark_offsets(TopicPartition(topic, part), timeout=10, cached=False)
        ends[part] = hi
    c.assign([TopicPartition(topic, part, 0) for part in parts])
    pending = {part for part in parts if ends[part] > 0}
    deadline = time.time() + DEADLINE_S
    out = []
    while pending:
        if time.time() > deadline:
            fail("consume timed out; partitions left: %s" % sorted(pending))
        m = c.poll(0.5)
        if m is None:
            continue
        if m.error() is not None:
            if m.error().code() == -191:  # _PARTITION_EOF
                if m.offset() >= ends.get(m.partition(), 0):
                    pending.discard(m.partition())
                continue
            fail("consume error: %s" % m.error())
        out.append({"partition": m.partition(), "offset": m.offset(), "value": m.value().decode()})
        if m.offset() + 1 >= ends[m.partition()]:
            pending.discard(m.partition())
    c.close()
    for r in out:
        print(json.dumps(r))


def main():
    a = sys.argv[1:]
    try:
        if a[0] == "produce":
            produce(a[1], a[2], a[3], int(a[4]), a[5], a[6], int(a[7]) if len(a) > 7 else int(a[4]))
        elif a[0] == "ctp":
            ctp(a[1], a[2], a[3], a[4], a[5], int(a[6]), int(a[7]))
        elif a[0] == "consume":
            consume(a[1], a[2], a[3])
        else:
            fail("unknown command %s" % a[0])
    except KafkaException as e:
        fail("kafka error: %s" % e)


if __name__ == "__main__":
    main()
