#!/usr/bin/env python3
# A stand-in for the older Python wrapper that bench/bash.bench.mjs compares
# the bash wrapper with (the original is not in this repository): what it did
# per event, and no more. bash called it once per event,
#   log_event() { python3 bench/py_log_event.py "$@" </dev/null >&2 || true; }
# and it built the v1 envelope (timestamp with microseconds, event_type,
# schema_version "1", user, source, details with values read as JSON when
# they are JSON) and appended one line with O_APPEND.
import datetime
import json
import os
import sys


def value(text):
    try:
        return json.loads(text)
    except ValueError:
        return text


def main(argv):
    if not argv:
        return 2
    event_type, user, source = (argv + ['', '', ''])[:3]
    event = {
        'timestamp': datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%S.%fZ'),
        'event_type': event_type,
        'schema_version': '1',
    }
    if user:
        event['user'] = user
    event['source'] = source or 'bash'
    details = {}
    for arg in argv[3:]:
        key, sep, text = arg.partition('=')
        if sep and key:
            details[key] = value(text)
    if details:
        event['details'] = details
    line = (json.dumps(event, separators=(',', ':'), ensure_ascii=False) + '\n').encode('utf-8')
    path = os.environ.get('DS01_EVENTS_FILE', '/var/log/ds01/events.jsonl')
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o660)
    try:
        os.write(fd, line)
    finally:
        os.close(fd)
    return 0


if __name__ == '__main__':
    try:
        sys.exit(main(sys.argv[1:]))
    except Exception as err:  # logging never fails its caller
        print(f'log_event: {err}', file=sys.stderr)
        sys.exit(1)
