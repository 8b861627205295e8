#!/usr/bin/python3
"""ACL checks with confluent-kafka (librdkafka) for test/interop/acls.test.ts.

Usage: acl_checks.py BOOTSTRAP
Prints one JSON object: the error names librdkafka reports for a consumer group without Read
(group g2) and for a produce to a topic with a DENY Write ACL (pre-denied).
"""
import json
import sys
import time

from confluent_kafka import Consumer, Producer

bootstrap = sys.argv[1]
out = {}

# A group the principal may not Read: the consumer reports GROUP_AUTHORIZATION_FAILED.
c = Consumer({'bootstrap.servers': bootstrap, 'group.id': 'g2', 'auto.offset.reset': 'earliest'})
c.subscribe(['visible'])
deadline = time.time() + 20
while time.time() < deadline and 'group' not in out:
    m = c.poll(0.5)
    if m is not None and m.error():
        out['group'] = m.error().name()
c.close()

# DENY Write beats the PREFIXED ALLOW: the delivery report says TOPIC_AUTHORIZATION_FAILED.
p = Producer({'bootstrap.servers': bootstrap, 'message.timeout.ms': 15000})
def report(err, msg):
    out['produce'] = err.name() if err else 'NO_ERROR'
p.produce('pre-denied', b'x', on_delivery=report)
p.flush(20)

print(json.dumps(out))
