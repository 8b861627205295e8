"""Shared I/O of the consumer-group members groups_confluent.py and groups_kafka_python.py.

Both print the same JSON events on stdout, one object per line, flushed (see their docstrings),
and read the same commands on stdin: `nocommit` (stop committing) and `close` (close the consumer
and exit); EOF on stdin also closes. This module holds that protocol: the shared `state`, `emit`,
the stdin command reader, and the report of an assignment change or of a polled record with its
synchronous commit.
"""
import json
import sys
import threading

# "commit": commit after each record (cleared by `nocommit`); "close": the main loop should close.
state = {"commit": True, "close": False}
_out_lock = threading.Lock()


def emit(obj):
    """Writes `obj` as one JSON line on stdout and flushes (callbacks may run on other threads)."""
    with _out_lock:
        sys.stdout.write(json.dumps(obj) + "\n")
        sys.stdout.flush()


def read_commands():
    """Applies stdin commands until `close` or EOF, then sets state["close"]."""
    for line in sys.stdin:
        cmd = line.strip()
        if cmd == "nocommit":
            state["commit"] = False
            emit({"ev": "nocommit"})
        elif cmd == "close":
            break
    state["close"] = True


def start_command_reader():
    """Runs read_commands on a daemon thread."""
    threading.Thread(target=read_commands, daemon=True).start()


def emit_assigned(op, delta, assigned):
    """Reports an assignment change: `op` ("assign", "revoke", "lost"), the partitions it concerned, all now assigned."""
    emit({"ev": "assigned", "op": op, "delta": sorted(delta), "partitions": sorted(assigned)})


def deliver(partition, offset, value, commit, errors, describe=str):
    """Reports a polled record (`value` bytes or None); unless `nocommit` was given, calls
    `commit(offset + 1)` and reports it committed, or failed with one of `errors` (described by `describe`)."""
    emit({"ev": "record", "partition": partition, "offset": offset,
          "value": value.decode() if value is not None else None})
    if state["commit"]:
        try:
            commit(offset + 1)
            emit({"ev": "committed", "partition": partition, "offset": offset + 1})
        except errors as e:
            emit({"ev": "commit_failed", "partition": partition, "offset": offset + 1, "error": describe(e)})
