#!/usr/bin/python3
"""Producer and reader of the replication chaos test (test/cluster/replication-chaos.test.ts), on
confluent-kafka (librdkafka).

Usage:
  chaos_client.py produce BOOTSTRAP TOPIC PARTITIONS RATE [FIRST]
      Idempotent producer (enable.idempotence=true, acks=all) sending value "<seq>" (a global
      sequence number, FIRST, FIRST+1, ...; FIRST defaults to 0) to partition seq % PARTITIONS, about
      RATE records/s, until a line "stop" (or EOF) arrives on stdin; then flushes (60 s at most) and
      exits. librdkafka's topic debug log goes to stderr (eos,msg,metadata,topic with KTS_CHAOS_DEBUG).
      Prints one line per delivery report as it arrives:
        "A <partition> <offset> <seq>"  acknowledged (offset -1: delivered, offset not reported)
        "E <partition> <seq> <error>"   failed for good (not acknowledged)
      and a last line "DONE <sent> <undelivered>".
  chaos_client.py consume BOOTSTRAP TOPIC PARTITIONS
      Reads every partition from offset 0 up to the high watermark taken at start (no group).
      Prints "R <partition> <offset> <value>" per record, then "DONE <count>".
  chaos_client.py libversion
      Prints librdkafka's version number (e.g. 0x020002ff for 2.0.2).

Exits 1 with a message on stderr on an unexpected error.
"""
import os
import select
import sys
import time

from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition, libversion


def fail(msg):
    sys.stderr.write(msg + "\n")
    sys.stderr.flush()
    sys.exit(1)


def produce(bootstrap, topic, partitions, rate, first):
    # "topic" always: the test looks there for librdkafka#4976 (a partition left on a non-leader)
    debug = {"debug": "eos,msg,metadata,topic" if os.environ.get("KTS_CHAOS_DEBUG") else "topic"}
    producer = Producer({
        "bootstrap.servers": bootstrap,
        "enable.idempotence": True,
        "acks": "all",
        "linger.ms": 5,
        # Retry for as long as the test runs: a record fails only when the producer gives up for good.
        "message.timeout.ms": 300000,
        "request.timeout.ms": 5000,
        "retry.backoff.ms": 100,
        "reconnect.backoff.ms": 50,
        "reconnect.backoff.max.ms": 500,
        "topic.metadata.refresh.interval.ms": 1000,
        "queue.buffering.max.messages": 200000,
        **debug,
    })
    out = []

    def on_delivery(err, msg):
        if err is not None:
            out.append("E %d %s %s" % (msg.partition(), msg.value().decode(), str(err).replace("\n", " ")))
        else:
            # librdkafka reports some deliveries without an offset (a request that timed out but
            # whose successor succeeded is marked delivered): -1 then.
            offset = msg.offset()
            out.append("A %d %d %s" % (msg.partition(), -1 if offset is None else offset, msg.value().decode()))

    def drain():
        if out:
            sys.stdout.write("\n".join(out) + "\n")
            sys.stdout.flush()
            del out[:]

    seq = first
    start = time.time()
    stopping = False
    while not stopping:
        # Send what the rate allows so far, then serve callbacks and look at stdin.
        due = first + int((time.time() - start) * rate)
        while seq < due:
            try:
                producer.produce(topic, value=str(seq).encode(), partition=seq % partitions, on_delivery=on_delivery)
            except BufferError:
                break
            seq += 1
        producer.poll(0.01)
        drain()
        readable, _, _ = select.select([sys.stdin], [], [], 0)
        if readable:
            line = sys.stdin.readline()
            if line == "" or line.strip() == "stop":
                stopping = True
    left = producer.flush(60)
    drain()
    sys.stdout.write("DONE %d %d\n" % (seq - first, left))
    sys.stdout.flush()


def consume(bootstrap, topic, partitions):
    consumer = Consumer({
        "bootstrap.servers": bootstrap,
        "group.id": "kts-chaos-unused",  # required by the client; no subscribe() and no commits
        "enable.auto.commit": False,
        "enable.partition.eof": False,
        "fetch.wait.max.ms": 100,
    })
    deadline = time.time() + 60
    high = {}
    for p in range(partitions):
        _, hi = consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=30)
        high[p] = hi
    consumer.assign([TopicPartition(topic, p, 0) for p in range(partitions) if high[p] > 0])
    pending = {p for p in range(partitions) if high[p] > 0}
    count = 0
    lines = []
    while pending:
        if time.time() > deadline:
            fail("timed out reading: partitions %s not at their high watermark %s" % (sorted(pending), high))
        for msg in consumer.consume(10000, 0.5):
            if msg.error() is not None:
                raise KafkaException(msg.error())
            p = msg.partition()
            if msg.offset() >= high[p]:
                continue
            lines.append("R %d %d %s" % (p, msg.offset(), msg.value().decode()))
            count += 1
            if msg.offset() >= high[p] - 1:
                pending.discard(p)
        if len(lines) > 5000:
            sys.stdout.write("\n".join(lines) + "\n")
            del lines[:]
    consumer.close()
    if lines:
        sys.stdout.write("\n".join(lines) + "\n")
    sys.stdout.write("DONE %d\n" % count)


def main():
    args = sys.argv[1:]
    try:
        if len(args) in (5, 6) and args[0] == "produce":
            produce(args[1], args[2], int(args[3]), float(args[4]), int(args[5]) if len(args) == 6 else 0)
        elif len(args) == 1 and args[0] == "libversion":
            print("0x%08x" % libversion()[1])
        elif len(args) == 4 and args[0] == "consume":
            consume(args[1], args[2], int(args[3]))
        else:
            fail(__doc__)
    except KafkaException as e:
        fail("kafka error: %s" % e)


if __name__ == "__main__":
    main()
