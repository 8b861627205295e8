#!/usr/bin/python3
"""ACL checks with kafka-python for test/interop/acls.test.ts.

Usage: acl_checks_kafka_python.py BOOTSTRAP
Prints one JSON object: the exception class names kafka-python raises for a produce to a topic
with a DENY Write ACL (pre-denied) and for a consumer group without Read (g2).
"""
import json
import sys
import time

from kafka import KafkaConsumer, KafkaProducer

bootstrap = sys.argv[1]
out = {}

p = KafkaProducer(bootstrap_servers=bootstrap, retries=0, request_timeout_ms=10000, api_version_auto_timeout_ms=10000)
try:
    p.send('pre-denied', b'x').get(timeout=20)
    out['produce'] = 'NO_ERROR'
except Exception as e:  # noqa: BLE001 - the class name is the answer
    out['produce'] = type(e).__name__
p.close(timeout=5)

c = KafkaConsumer('visible', bootstrap_servers=bootstrap, group_id='g2', auto_offset_reset='earliest', api_version_auto_timeout_ms=10000)
deadline = time.time() + 20
while time.time() < deadline and 'group' not in out:
    try:
        c.poll(timeout_ms=500)
    except Exception as e:  # noqa: BLE001
        out['group'] = type(e).__name__
c.close(autocommit=False)

print(json.dumps(out))
