#!/usr/bin/env python3
"""Prints the demo's backfill file: 3,000 JSONL events, the same every time, with three bad lines (250: not JSON,
1,200: an empty payload, 2,750: a malformed email) for the errors file to show."""
import json

SOURCES = ["ads", "newsletter", "referral", "webinar"]
for n in range(1, 3001):
    if n == 250:
        print('{"event": "lead.created", "payload": {"email": "broken@example.com"')
    elif n == 1200:
        print(json.dumps({"event": "lead.created", "payload": {"email": "", "name": "  "}}))
    elif n == 2750:
        print(json.dumps({"event": "lead.created", "payload": {"email": "not-an-address"}}))
    else:
        print(json.dumps({"event": "lead.created", "resource": "source", "resource_id": SOURCES[n % 4],
                          "payload": {"email": "lead%d@example.com" % n, "score": n % 97}}, separators=(",", ":")))
