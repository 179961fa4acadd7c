#!/usr/bin/env python3
# summary: bulk ingest of 100,000 events over loopback HTTP and in-process vs the sqlite3 CLI
"""Bulk ingest benchmark (issue: meshes engine).

One run measures, on fresh stores:
  - HTTP: `meshes serve` on 127.0.0.1; 1,000 `POST /api/v1/events/bulk` requests of 100 events, 8 in flight
    (keep-alive connections, a fresh machine JWT per request as real clients do); one matching rule, so
    every event also stores one rule event and upserts the catalogues.
  - in-process: `meshes-bench ingest`, the same 1,000 x 100 through the same router without sockets.
  - reference: the `sqlite3` CLI inserting the same rows (event + rule event per item) in batched
    transactions of 100 items, WAL mode, the same indexes and page-cache size as the engine (64 MiB).
Targets: HTTP >= 20,000 events/s; in-process >= 50% of the sqlite3 rate."""

import json
import os
import subprocess
import sys
import threading
import time
import uuid

import benchlib
from meshesclient import Client

EVENTS = int(os.environ.get("INGEST_EVENTS", "100000"))
BATCH = 100
IN_FLIGHT = 8


def start_server(env, folder):
    db = os.path.join(folder, "http.db")
    keys = subprocess.run([env_bin("MESHES_BIN"), "keys", "create", "--json", "--db", db], cwd=folder,
                          capture_output=True, check=True)
    key = json.loads(keys.stdout)
    # Ingest alone: this process does not deliver (its one rule points at an address nobody answers).
    server = subprocess.Popen([env_bin("MESHES_BIN"), "serve", "--port", "0", "--no-delivery", "--db", db], cwd=folder,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    line = server.stderr.readline().decode()
    if "listening on" not in line:
        server.kill()
        raise benchlib.CommandFailed("meshes serve did not start: %r" % line)
    return server, int(line.strip().rsplit(":", 1)[1]), key


def env_bin(name):
    value = os.environ.get(name)
    if not value or not os.access(value, os.X_OK):
        sys.exit("ingest benchmark: %s is not set or not executable; run it through Scripts/bench" % name)
    return value


def http_run(env, folder):
    server, port, key = start_server(env, folder)
    try:
        client = Client(port, key)
        status, body = client.call("POST", "/api/v1/workspaces", json.dumps({"name": "bench"}))
        workspace = json.loads(body)["workspace"]["id"]
        status, body = client.call("POST", "/api/v1/connections", json.dumps(
            {"workspace": workspace, "type": "webhook", "name": "sink", "metadata": {"url": "https://example.com/sink"}}))
        connection = json.loads(body)["connection"]["id"]
        client.call("POST", "/api/v1/rules", json.dumps(
            {"workspace": workspace, "connection": connection, "event": "user.signup", "metadata": {"action": "send_webhook"}}))
        bodies = []
        for request in range(EVENTS // BATCH):
            items = [{"workspace": workspace, "event": "user.signup",
                      "payload": {"email": "user%d@example.com" % (request * BATCH + i), "plan": "pro"}} for i in range(BATCH)]
            bodies.append(json.dumps(items, separators=(",", ":")))
        failures = []
        cursor = {"next": 0}
        lock = threading.Lock()

        def worker():
            while True:
                with lock:
                    index = cursor["next"]
                    cursor["next"] += 1
                if index >= len(bodies):
                    return
                status, _ = client.call("POST", "/api/v1/events/bulk", bodies[index])
                if status != 201:
                    failures.append(status)

        threads = [threading.Thread(target=worker) for _ in range(IN_FLIGHT)]
        start = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - start
        if failures:
            raise benchlib.CommandFailed("%d bulk requests failed, e.g. status %d" % (len(failures), failures[0]))
        status, body = client.call("GET", "/api/v1/workspaces/%s/events?limit=1" % workspace)
        return EVENTS / elapsed
    finally:
        server.terminate()
        server.wait(timeout=30)


def in_process_run(env, folder):
    out = subprocess.run([env_bin("MESHES_BENCH_BIN"), "ingest", "--db", os.path.join(folder, "inproc.db"),
                          "--events", str(EVENTS), "--batch", str(BATCH), "--concurrency", str(IN_FLIGHT)],
                         cwd=folder, capture_output=True, check=True)
    result = json.loads(out.stdout)
    if result["events"] != EVENTS:
        raise benchlib.CommandFailed("in-process run accepted %d of %d events" % (result["events"], EVENTS))
    return result["events_per_second"]


SCHEMA = """
PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY;
CREATE TABLE events (id TEXT PRIMARY KEY NOT NULL, org_id TEXT NOT NULL, workspace_id TEXT NOT NULL, event TEXT NOT NULL,
  resource TEXT NOT NULL, resource_id TEXT, payload TEXT NOT NULL, status TEXT NOT NULL, total_rules INTEGER NOT NULL,
  created_by TEXT NOT NULL, created_at INTEGER NOT NULL);
CREATE INDEX events_org_order ON events (org_id, created_at DESC, id DESC);
CREATE INDEX events_workspace_order ON events (workspace_id, created_at DESC, id DESC);
CREATE TABLE rule_events (id TEXT PRIMARY KEY NOT NULL, event_id TEXT NOT NULL, rule_id TEXT NOT NULL, status TEXT NOT NULL,
  next_attempt_at INTEGER, created_at INTEGER NOT NULL);
CREATE INDEX rule_events_event ON rule_events (event_id, created_at, id);
CREATE INDEX rule_events_due ON rule_events (status, next_attempt_at);
"""


def sqlite_run(folder):
    path = os.path.join(folder, "reference.sql")
    org, workspace, rule = str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4())
    now = int(time.time() * 1000)
    with open(path, "w") as f:
        f.write(SCHEMA)
        for batch in range(EVENTS // BATCH):
            f.write("BEGIN;\n")
            for i in range(BATCH):
                n = batch * BATCH + i
                event = str(uuid.uuid4())
                payload = json.dumps({"email": "user%d@example.com" % n, "plan": "pro"}, separators=(",", ":"))
                f.write("INSERT INTO events VALUES ('%s','%s','%s','user.signup','global',NULL,'%s','pending',1,'mk_bench',%d);\n"
                        % (event, org, workspace, payload, now + n))
                f.write("INSERT INTO rule_events VALUES ('%s','%s','%s','pending',%d,%d);\n"
                        % (uuid.uuid4(), event, rule, now + n, now + n))
            f.write("COMMIT;\n")
    db = os.path.join(folder, "reference.db")
    with open(path, "rb") as script:
        start = time.perf_counter()
        subprocess.run(["sqlite3", db], stdin=script, check=True, stdout=subprocess.DEVNULL)
        elapsed = time.perf_counter() - start
    return EVENTS / elapsed


def main():
    env = benchlib.Env()
    runs = max(1, min(env.runs, 3))
    http_rates, inproc_rates, ref_rates = [], [], []
    for run in range(runs):
        folder = os.path.join(env.tmp, "ingest-%d" % run)
        os.makedirs(folder)
        ref_rates.append(sqlite_run(folder))
        inproc_rates.append(in_process_run(env, folder))
        http_rates.append(http_run(env, folder))
        print("run %d/%d: http %.0f ev/s, in-process %.0f ev/s, sqlite3 %.0f ev/s"
              % (run + 1, runs, http_rates[-1], inproc_rates[-1], ref_rates[-1]), file=sys.stderr)
    ref = benchlib.median(ref_rates)
    http_rate = benchlib.median(http_rates)
    inproc = benchlib.median(inproc_rates)
    rows = [
        ["bulk ingest over HTTP (ev/s)", "%.0f" % http_rate, "%.0f" % ref, "%.2fx" % (http_rate / ref), ">= 20000 ev/s",
         "ok" if http_rate >= 20000 else "MISS"],
        ["bulk ingest in-process (ev/s)", "%.0f" % inproc, "%.0f" % ref, "%.2fx" % (inproc / ref), ">= 0.50x sqlite3",
         "ok" if inproc >= 0.5 * ref else "MISS"],
    ]
    print()
    print("ingest: %d events as %d bulk requests of %d, %d in flight; reference = sqlite3 CLI, batched transactions; median of %d"
          % (EVENTS, EVENTS // BATCH, BATCH, IN_FLIGHT, runs))
    benchlib.table(["metric", "ours", "ref", "ratio", "target", ""], rows)
    if env.strict and any(r[-1] == "MISS" for r in rows):
        sys.exit(1)


if __name__ == "__main__":
    try:
        main()
    except benchlib.CommandFailed as failure:
        sys.exit("ingest benchmark failed: %s" % failure)
