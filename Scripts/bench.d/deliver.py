#!/usr/bin/env python3
# summary: webhook deliveries per second and emit-to-delivered latency vs wrk on the same local receiver
"""Delivery benchmark (issue: meshes delivery).

One run measures, on fresh stores, against one keep-alive receiver on 127.0.0.1 (`meshes-bench receiver`):
  - reference: `wrk` (Debian package) POSTing a webhook-sized body to the receiver, 64 connections, 5 s:
    the receiver's own request rate on this machine, the physical limit of any sender.
  - throughput: 50,000 events stored first (`meshes serve --no-delivery`, bulk ingest), then `meshes deliver
    --until-idle --workers 64` delivers them all (one webhook rule, max_concurrency 64): deliveries per second
    from its start to the last delivery recorded.
  - latency: `meshes serve` delivering while single events are emitted at a steady 500 events/s for 10 s:
    p50/p99 from the event's created_at to its arrival at the receiver.
Peak RSS (VmHWM) of the delivering process is reported for both. Targets: >= 5,000 deliveries/s and >= 50% of the
wrk rate; p99 <= 20 ms."""

import json
import os
import re
import subprocess
import sys
import threading
import time

import benchlib
from meshesclient import Client

EVENTS = int(os.environ.get("DELIVER_EVENTS", "50000"))
BATCH = 100
RATE = 500
RATE_SECONDS = 10
WORKERS = 64





def start_receiver(folder):
    receiver = subprocess.Popen([benchlib.env_bin("MESHES_BENCH_BIN", "deliver"), "receiver", "--port", "0"], cwd=folder,
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    port = int(receiver.stdout.readline().decode().strip())
    return receiver, port


def wrk_rate(port, folder):
    body = json.dumps({"type": "event", "id": "x" * 36, "event": "user.signup", "workspace": "w" * 36, "resource": "global",
                       "resource_id": None, "created_at": "2026-01-01T00:00:00.000Z",
                       "delivery": {"id": "d" * 36, "rule": "r" * 36, "connection": "c" * 36, "attempt": 1,
                                    "timestamp": "2026-01-01T00:00:00.000Z"},
                       "payload": {"email": "user1@example.com", "plan": "pro"}}, separators=(",", ":"))
    script = os.path.join(folder, "post.lua")
    with open(script, "w") as f:
        f.write('wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = %s\n' % json.dumps(body))
    out = subprocess.run(["wrk", "-t2", "-c64", "-d5s", "-s", script, "http://127.0.0.1:%d/hook" % port],
                         capture_output=True, check=True, text=True).stdout
    match = re.search(r"Requests/sec:\s+([0-9.]+)", out)
    if not match:
        raise benchlib.CommandFailed("wrk printed no rate: %r" % out)
    return float(match.group(1))


def start_server(db, folder, *flags):
    keys = subprocess.run([benchlib.env_bin("MESHES_BIN", "deliver"), "keys", "create", "--json", "--db", db], cwd=folder,
                          capture_output=True, check=True)
    key = json.loads(keys.stdout)
    server = subprocess.Popen([benchlib.env_bin("MESHES_BIN", "deliver"), "serve", "--port", "0", "--db", db] + list(flags), cwd=folder,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    line = server.stderr.readline().decode()
    if "listening on" not in line:
        server.kill()
        raise benchlib.CommandFailed("meshes serve did not start: %r" % line)
    return server, int(line.strip().rsplit(":", 1)[1]), key


def set_up(client, receiver_port):
    status, body = client.call("POST", "/api/v1/workspaces", json.dumps({"name": "bench"}))
    workspace = json.loads(body)["workspace"]["id"]
    status, body = client.call("POST", "/api/v1/connections", json.dumps(
        {"workspace": workspace, "type": "webhook", "name": "sink",
         "metadata": {"url": "http://127.0.0.1:%d/hook" % receiver_port, "max_concurrency": 64}}))
    if status != 201:
        raise benchlib.CommandFailed("connection: %d %s" % (status, body[:200]))
    connection = json.loads(body)["connection"]["id"]
    client.call("POST", "/api/v1/rules", json.dumps(
        {"workspace": workspace, "connection": connection, "event": "user.signup", "metadata": {"action": "send_webhook"}}))
    return workspace


def receiver_stats(port):
    status, body = Client(port).call("GET", "/stats")
    return json.loads(body)


def throughput_run(folder, receiver_port):
    db = os.path.join(folder, "throughput.db")
    server, port, key = start_server(db, folder, "--no-delivery", "--allow-http")
    try:
        client = Client(port, key)
        workspace = set_up(client, receiver_port)
        for request in range(EVENTS // BATCH):
            items = [{"workspace": workspace, "event": "user.signup",
                      "payload": {"email": "user%d@example.com" % (request * BATCH + i), "plan": "pro"}} for i in range(BATCH)]
            status, _ = client.call("POST", "/api/v1/events/bulk", json.dumps(items, separators=(",", ":")))
            if status != 201:
                raise benchlib.CommandFailed("bulk ingest answered %d" % status)
    finally:
        server.terminate()
        server.wait(timeout=30)
    Client(receiver_port).call("DELETE", "/stats")
    start = time.perf_counter()
    deliver = subprocess.Popen([benchlib.env_bin("MESHES_BIN", "deliver"), "deliver", "--until-idle", "--workers", str(WORKERS), "--allow-http",
                                "--allow-private-egress", "--db", db], cwd=folder,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    rss = 0
    last = start
    while deliver.poll() is None:
        rss = max(rss, benchlib.status_kib(deliver.pid, "VmHWM:"))
        seen = receiver_stats(receiver_port)["requests"]
        if seen >= EVENTS:
            last = time.perf_counter()
            break
        time.sleep(0.02)
    deliver.wait(timeout=120)
    if last == start:
        last = time.perf_counter()
    stats = receiver_stats(receiver_port)
    if stats["distinct"] < EVENTS:
        raise benchlib.CommandFailed("only %d of %d deliveries arrived (%s)" % (stats["distinct"], EVENTS,
                                                                                 deliver.stderr.read().decode()[:300]))
    return EVENTS / (last - start), rss, stats["duplicates"]


def latency_run(folder, receiver_port):
    db = os.path.join(folder, "latency.db")
    server, port, key = start_server(db, folder, "--workers", str(WORKERS), "--allow-http", "--allow-private-egress")
    try:
        client = Client(port, key)
        workspace = set_up(client, receiver_port)
        Client(receiver_port).call("DELETE", "/stats")
        total = RATE * RATE_SECONDS
        threads_count = 4
        failures = []
        rss = [0]

        def emitter(offset):
            interval = threads_count / RATE
            begin = time.perf_counter() + offset * interval / threads_count
            for n in range(total // threads_count):
                delay = begin + n * interval - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
                status, _ = client.call("POST", "/api/v1/events", json.dumps(
                    {"workspace": workspace, "event": "user.signup", "payload": {"email": "u%d@example.com" % n}}))
                if status != 201:
                    failures.append(status)

        threads = [threading.Thread(target=emitter, args=(i,)) for i in range(threads_count)]
        for thread in threads:
            thread.start()
        while any(t.is_alive() for t in threads):
            rss[0] = max(rss[0], benchlib.status_kib(server.pid, "VmHWM:"))
            time.sleep(0.1)
        deadline = time.time() + 60
        while receiver_stats(receiver_port)["requests"] < total and time.time() < deadline:
            time.sleep(0.05)
        rss[0] = max(rss[0], benchlib.status_kib(server.pid, "VmHWM:"))
        if failures:
            raise benchlib.CommandFailed("%d emits failed, e.g. status %d" % (len(failures), failures[0]))
        latencies = sorted(receiver_stats(receiver_port)["latencies_ms"])
        if len(latencies) < total:
            raise benchlib.CommandFailed("only %d of %d deliveries arrived" % (len(latencies), total))
        return latencies[len(latencies) // 2], latencies[int(len(latencies) * 0.99) - 1], rss[0]
    finally:
        server.terminate()
        server.wait(timeout=30)


def main():
    env = benchlib.Env()
    benchlib.ensure_wrk("deliver")
    runs = max(1, min(env.runs, 3))
    wrk_rates, rates, p50s, p99s, rss_throughput, rss_latency, duplicates = [], [], [], [], [], [], []
    for run in range(runs):
        folder = os.path.join(env.tmp, "deliver-%d" % run)
        os.makedirs(folder)
        receiver, receiver_port = start_receiver(folder)
        try:
            wrk_rates.append(wrk_rate(receiver_port, folder))
            rate, rss, dups = throughput_run(folder, receiver_port)
            rates.append(rate)
            rss_throughput.append(rss)
            duplicates.append(dups)
            p50, p99, rss = latency_run(folder, receiver_port)
            p50s.append(p50)
            p99s.append(p99)
            rss_latency.append(rss)
        finally:
            receiver.terminate()
            receiver.wait(timeout=10)
        print("run %d/%d: %.0f deliveries/s (wrk %.0f req/s), latency p50 %.1f ms p99 %.1f ms"
              % (run + 1, runs, rates[-1], wrk_rates[-1], p50s[-1], p99s[-1]), file=sys.stderr)
    ref = benchlib.median(wrk_rates)
    rate = benchlib.median(rates)
    p50, p99 = benchlib.median(p50s), benchlib.median(p99s)
    rows = [
        ["deliveries/s (50,000, 64 workers)", "%.0f" % rate, "%.0f" % ref, "%.2fx" % (rate / ref), ">= 5000/s and >= 0.50x wrk",
         "ok" if rate >= 5000 and rate >= 0.5 * ref else "MISS"],
        ["emit-to-delivered p50 at 500 ev/s (ms)", "%.1f" % p50, "-", "-", "-", ""],
        ["emit-to-delivered p99 at 500 ev/s (ms)", "%.1f" % p99, "-", "-", "<= 20 ms", "ok" if p99 <= 20 else "MISS"],
        ["peak RSS delivering 50,000 (MiB)", "%.1f" % (max(rss_throughput) / 1024), "-", "-", "-", ""],
        ["peak RSS of serve at 500 ev/s (MiB)", "%.1f" % (max(rss_latency) / 1024), "-", "-", "-", ""],
    ]
    print()
    print("deliver: %d events to one webhook rule on a local keep-alive receiver; reference = wrk -t2 -c64 on the same"
          " receiver; duplicates seen: %d; median of %d" % (EVENTS, max(duplicates), runs))
    benchlib.table(["metric", "ours", "ref", "ratio", "target", ""], rows)
    if env.strict and any(r[-1] == "MISS" for r in rows):
        sys.exit(1)


if __name__ == "__main__":
    try:
        main()
    except benchlib.CommandFailed as failure:
        sys.exit("deliver benchmark failed: %s" % failure)
