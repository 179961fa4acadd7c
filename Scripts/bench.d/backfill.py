#!/usr/bin/env python3
# summary: meshes backfill of a 100,000-event JSONL, embedded and over loopback HTTP, vs python sqlite3; peak RSS on 1 GiB
"""Backfill benchmark (spec section 8).

One run measures, on fresh stores with one workspace and one matching rule (so every event also stores one rule
event, as in the ingest benchmark):
  - embedded: `meshes backfill FILE --workspace W --db store.db` (the in-process router, no socket);
  - remote: the same file sent by `meshes backfill` to `meshes serve --no-delivery` on 127.0.0.1 (machine JWT per
    request, 4 batches of 100 in flight);
  - reference: python's sqlite3 module reading the same JSONL (json.loads per line) and inserting the same rows
    (event + rule event) in transactions of 100 events, WAL, synchronous=NORMAL, the same indexes;
  - peak RSS (VmHWM of the backfill process, polled) of each run, and of a dry run over a 1 GiB JSONL,
    which streams through the same reader and validator.
Rates are events / wall time of the whole process (start-up included).
Targets (reported): remote >= 20,000 ev/s; embedded >= 50,000 ev/s and >= 50% of sqlite3; peak RSS <= 100 MiB."""

import json
import os
import sqlite3
import subprocess
import sys
import time
import uuid

import benchlib
from meshesclient import Client

EVENTS = int(os.environ.get("BACKFILL_EVENTS", "100000"))
LARGE_BYTES = int(os.environ.get("BACKFILL_LARGE_BYTES", str(1 << 30)))



def line(n):
    return '{"event":"user.signup","payload":{"email":"user%d@example.com","plan":"pro"}}\n' % n


def write_events(path, count):
    with open(path, "w") as f:
        for n in range(count):
            f.write(line(n))


def write_large(path, size):
    block = "".join(line(n) for n in range(10000))
    written = 0
    with open(path, "w") as f:
        while written < size:
            f.write(block)
            written += len(block)
    return written


def vm_hwm(pid):
    """The process's peak RSS so far in MiB (VmHWM), or None once it is gone."""
    try:
        with open("/proc/%d/status" % pid) as f:
            for text in f:
                if text.startswith("VmHWM:"):
                    return int(text.split()[1]) / 1024.0
    except OSError:
        return None
    return None


def measured(cmd, cwd, env):
    """Runs cmd; returns (wall seconds, peak RSS in MiB, stdout). The peak is VmHWM read every 20 ms while the process
    runs (wait4's ru_maxrss would report this Python process's own RSS: exec keeps the parent's high-water mark)."""
    out_path = os.path.join(cwd, "stdout.%d" % time.monotonic_ns())
    peak = 0.0
    with open(out_path, "wb") as out, open(out_path + ".err", "wb") as err:
        start = time.perf_counter()
        process = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=err)
        while process.poll() is None:
            # A zombie has no memory map left: keep the last reading taken while it was alive.
            value = vm_hwm(process.pid)
            if value:
                peak = max(peak, value)
            time.sleep(0.02)
        wall = time.perf_counter() - start
    with open(out_path) as f:
        stdout = f.read()
    with open(out_path + ".err") as f:
        stderr = f.read()
    if process.returncode != 0:
        raise benchlib.CommandFailed("%s exited %d: %s" % (" ".join(cmd[:2]), process.returncode, stderr.strip()))
    return wall, peak, stdout


def serve(folder, db):
    keys = subprocess.run([benchlib.env_bin("MESHES_BIN", "backfill"), "keys", "create", "--json", "--db", db], cwd=folder,
                          capture_output=True, check=True)
    key = json.loads(keys.stdout)
    server = subprocess.Popen([benchlib.env_bin("MESHES_BIN", "backfill"), "serve", "--port", "0", "--no-delivery", "--db", db], cwd=folder,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    banner = server.stderr.readline().decode()
    if "listening on" not in banner:
        server.kill()
        raise benchlib.CommandFailed("meshes serve did not start: %r" % banner)
    port = int(banner.strip().rsplit(":", 1)[1])
    client = Client(port, key)
    _, body = client.call("POST", "/api/v1/workspaces", json.dumps({"name": "bench"}))
    workspace = json.loads(body)["workspace"]["id"]
    _, body = client.call("POST", "/api/v1/connections", json.dumps(
        {"workspace": workspace, "type": "webhook", "name": "sink", "metadata": {"url": "https://example.com/sink"}}))
    connection = json.loads(body)["connection"]["id"]
    client.call("POST", "/api/v1/rules", json.dumps(
        {"workspace": workspace, "connection": connection, "event": "user.signup", "metadata": {"action": "send_webhook"}}))
    return server, port, key, workspace


def stop(server):
    server.terminate()
    server.wait(timeout=30)


def check(stdout):
    summary = json.loads(stdout)
    if summary["accepted"] != EVENTS or summary["rejected"] != 0:
        raise benchlib.CommandFailed("backfill accepted %d, rejected %d of %d" % (summary["accepted"], summary["rejected"], EVENTS))


def embedded_run(folder, jsonl):
    # The store gets its workspace and rule through the API, then the server stops and the CLI opens the file itself.
    server, _, _, workspace = serve(folder, "embedded.db")
    stop(server)
    env = {"PATH": os.environ.get("PATH", "")}
    wall, rss, stdout = measured([benchlib.env_bin("MESHES_BIN", "backfill"), "backfill", jsonl, "--workspace", workspace, "--db", "embedded.db",
                                  "--json", "--no-progress"], folder, env)
    check(stdout)
    return EVENTS / wall, rss


def remote_run(folder, jsonl):
    server, port, key, workspace = serve(folder, "remote.db")
    try:
        env = {"PATH": os.environ.get("PATH", ""), "MESHES_ACCESS_KEY": key["access_key"], "MESHES_SECRET_KEY": key["secret_key"],
               "MESHES_ORG_ID": key["org_id"], "MESHES_API_URL": "http://127.0.0.1:%d" % port}
        wall, rss, stdout = measured([benchlib.env_bin("MESHES_BIN", "backfill"), "backfill", jsonl, "--workspace", workspace, "--json",
                                      "--no-progress", "--checkpoint", os.path.join(folder, "remote.checkpoint")], folder, env)
        check(stdout)
        return EVENTS / wall, rss
    finally:
        stop(server)


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


def sqlite_run(folder, jsonl):
    db = sqlite3.connect(os.path.join(folder, "reference.db"), isolation_level=None)
    db.executescript(SCHEMA)
    org, workspace, rule = str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4())
    start = time.perf_counter()
    with open(jsonl) as f:
        batch = []

        def flush():
            db.execute("BEGIN")
            for n, item in batch:
                event = str(uuid.uuid4())
                now = int(time.time() * 1000)
                db.execute("INSERT INTO events VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                           (event, org, workspace, item["event"], "global", None,
                            json.dumps(item["payload"], separators=(",", ":")), "pending", 1, "mk_bench", now + n))
                db.execute("INSERT INTO rule_events VALUES (?,?,?,?,?,?)", (str(uuid.uuid4()), event, rule, "pending", now, now))
            db.execute("COMMIT")
            batch.clear()

        for n, text in enumerate(f):
            batch.append((n, json.loads(text)))
            if len(batch) == 100:
                flush()
        if batch:
            flush()
    elapsed = time.perf_counter() - start
    db.close()
    return EVENTS / elapsed


def large_run(folder):
    path = os.path.join(folder, "large.jsonl")
    size = write_large(path, LARGE_BYTES)
    env = {"PATH": os.environ.get("PATH", "")}
    try:
        wall, rss, stdout = measured([benchlib.env_bin("MESHES_BIN", "backfill"), "backfill", path, "--dry-run", "--json", "--no-progress",
                                      "--workspace", str(uuid.uuid4())], folder, env)
    finally:
        os.remove(path)
    summary = json.loads(stdout)
    return size, summary["lines_read"], wall, rss


def main():
    env = benchlib.Env()
    runs = max(1, min(env.runs, 3))
    embedded, remote, reference, rss_embedded, rss_remote = [], [], [], [], []
    for run in range(runs):
        folder = os.path.join(env.tmp, "backfill-%d" % run)
        os.makedirs(folder)
        jsonl = os.path.join(folder, "events.jsonl")
        write_events(jsonl, EVENTS)
        reference.append(sqlite_run(folder, jsonl))
        rate, rss = embedded_run(folder, jsonl)
        embedded.append(rate)
        rss_embedded.append(rss)
        rate, rss = remote_run(folder, jsonl)
        remote.append(rate)
        rss_remote.append(rss)
        print("run %d/%d: embedded %.0f ev/s (%.1f MiB), remote %.0f ev/s (%.1f MiB), sqlite3 %.0f ev/s"
              % (run + 1, runs, embedded[-1], rss_embedded[-1], remote[-1], rss_remote[-1], reference[-1]), file=sys.stderr)
    size, lines, wall, rss_large = large_run(env.tmp)
    ref = benchlib.median(reference)
    emb = benchlib.median(embedded)
    rem = benchlib.median(remote)
    peak = max(max(rss_embedded), max(rss_remote))
    rows = [
        ["backfill embedded (ev/s)", "%.0f" % emb, "%.0f" % ref, "%.2fx" % (emb / ref), ">= 50000 and >= 0.50x",
         "ok" if emb >= 50000 and emb >= 0.5 * ref else "MISS"],
        ["backfill remote, loopback (ev/s)", "%.0f" % rem, "%.0f" % ref, "%.2fx" % (rem / ref), ">= 20000 ev/s",
         "ok" if rem >= 20000 else "MISS"],
        ["peak RSS, 100k events (MiB)", "%.1f" % peak, "", "", "<= 100 MiB", "ok" if peak <= 100 else "MISS"],
        ["peak RSS, %.2f GiB dry run (MiB)" % (size / float(1 << 30)), "%.1f" % rss_large, "", "", "<= 100 MiB",
         "ok" if rss_large <= 100 else "MISS"],
    ]
    print()
    print("backfill: %d events, batches of 100, 4 in flight; reference = python sqlite3, transactions of 100; median of %d; "
          "dry run: %d lines in %.1f s (%.0f lines/s)" % (EVENTS, runs, lines, wall, lines / wall))
    benchlib.table(["metric", "ours", "ref", "ratio", "target", ""], rows)
    if env.strict and any(r[-1] == "MISS" for r in rows):
        sys.exit(1)


if __name__ == "__main__":
    try:
        main()
    except benchlib.CommandFailed as failure:
        sys.exit("backfill benchmark failed: %s" % failure)
