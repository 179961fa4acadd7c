#!/usr/bin/env python3
# summary: meshes serve request rates and p99 under wrk (authenticated reads, single-event POST, lists) vs /healthz
"""HTTP hot-path benchmark (issue: meshes hot paths).

One run, against `meshes serve --no-delivery` (release build) on a store holding 100,000 events (one workspace,
one webhook rule matching `user.signup`, so every event also has one rule event), with `wrk` (Debian package)
-t2 -c64 for HTTP_SECONDS (default 10) per endpoint, every figure a ratio to `GET /healthz` measured in the same run:
  - GET /api/v1/workspaces/{id} and GET /api/v1/events/{id}: authenticated single-row reads;
  - POST /api/v1/events: one event matching one rule, durable when the 201 is sent;
  - GET /api/v1/workspaces/{id}/events?limit=50: a page of the list.
Each authenticated endpoint runs twice: with one machine token reused for the whole run (within its lifetime),
and with a distinct token on every request (minted beforehand with a unique `jti`, so the server verifies each one
from scratch: the worst case of "a fresh token per request").
Then a soak (HTTP_SOAK_SECONDS, default 300) cycles through the four routes with reused tokens while the server's
RSS is sampled every 5 s: the figure is the growth from the end of the first minute to the end.
Last, the server is started again with MESHES_TIMINGS=1 and each route runs for 3 s: its per-route split of thread
CPU time per stage (printed at exit) follows the table. (Timings cost a few clock reads per request, so the measured
rows above run without them.)
Targets: reads >= 50% of /healthz; POST >= 40%; list >= 5,000 req/s and >= 20%; p99 < 20 ms; flat RSS."""

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time

import benchlib
from meshesclient import Client, token

EVENTS = int(os.environ.get("HTTP_EVENTS", "100000"))
SECONDS = int(os.environ.get("HTTP_SECONDS", "10"))
SOAK_SECONDS = int(os.environ.get("HTTP_SOAK_SECONDS", "300"))
CONNECTIONS = 64
BATCH = 100







def lua_string(text):
    return json.dumps(text)


def write_script(folder, name, requests, token_files=None, token=None):
    """A wrk script cycling through `requests` ((method, path, body) triples). With `token_files` (one per wrk
    thread) each request takes the thread's next token; with `token` every request carries that one."""
    lines = ["local requests = {"]
    for method, path, body in requests:
        lines.append("  {%s, %s, %s}," % (lua_string(method), lua_string(path), lua_string(body or "")))
    lines.append("}")
    lines.append("local tokens = {}")
    lines.append("local n = 0")
    lines.append("local t = 0")
    lines.append("local counter = 0")
    lines.append("function setup(thread)")
    lines.append("  counter = counter + 1")
    lines.append("  thread:set('id', counter)")
    lines.append("end")
    lines.append("function init(args)")
    if token_files:
        lines.append("  local files = {%s}" % ", ".join(lua_string(f) for f in token_files))
        lines.append("  for line in io.lines(files[id]) do tokens[#tokens + 1] = line end")
    elif token:
        lines.append("  tokens[1] = %s" % lua_string(token))
    lines.append("end")
    lines.append("function request()")
    lines.append("  n = n % #requests + 1")
    lines.append("  local r = requests[n]")
    lines.append("  local headers = {}")
    lines.append("  if #tokens > 0 then")
    lines.append("    t = t % #tokens + 1")
    lines.append("    headers['Authorization'] = 'Bearer ' .. tokens[t]")
    lines.append("  end")
    lines.append("  if r[3] ~= '' then headers['Content-Type'] = 'application/json' end")
    lines.append("  if r[3] ~= '' then return wrk.format(r[1], r[2], headers, r[3]) end")
    lines.append("  return wrk.format(r[1], r[2], headers)")
    lines.append("end")
    lines.append("function done(summary, latency, requests)")
    lines.append("  io.write(string.format('non2xx %d\\n', summary.errors.status))")
    lines.append("end")
    path = os.path.join(folder, name + ".lua")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return path


def milliseconds(text):
    value, unit = re.match(r"([0-9.]+)(us|ms|s|m)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def wrk(port, script, seconds):
    out = subprocess.run(["wrk", "-t2", "-c%d" % CONNECTIONS, "-d%ds" % seconds, "--latency", "-s", script,
                          "http://127.0.0.1:%d/" % port], capture_output=True, check=True, text=True).stdout
    rate = re.search(r"Requests/sec:\s+([0-9.]+)", out)
    p99 = re.search(r"\s99%\s+([0-9.]+\w+)", out)
    total = re.search(r"([0-9]+) requests in", out)
    bad = re.search(r"non2xx ([0-9]+)", out)
    if not rate or not p99 or not total:
        raise benchlib.CommandFailed("wrk printed no rate: %r" % out)
    if bad and int(bad.group(1)) > 0:
        raise benchlib.CommandFailed("%s non-2xx answers during %s:\n%s" % (bad.group(1), script, out))
    return float(rate.group(1)), milliseconds(p99.group(1)), int(total.group(1))


def start_server(db, folder, timings=False):
    keys = subprocess.run([benchlib.env_bin("MESHES_BIN", "http"), "keys", "create", "--json", "--db", db], cwd=folder,
                          capture_output=True, check=True)
    key = json.loads(keys.stdout)
    env = dict(os.environ, MESHES_TIMINGS="1" if timings else "0")
    stderr = open(os.path.join(folder, "serve.stderr"), "w+")
    server = subprocess.Popen([benchlib.env_bin("MESHES_BIN", "http"), "serve", "--port", "0", "--db", db, "--no-delivery", "--allow-http"],
                              cwd=folder, stdout=subprocess.DEVNULL, stderr=stderr, env=env)
    deadline = time.time() + 30
    while time.time() < deadline:
        stderr.seek(0)
        match = re.search(r"listening on \S+:([0-9]+)", stderr.read())
        if match:
            return server, int(match.group(1)), key, stderr
        if server.poll() is not None:
            break
        time.sleep(0.05)
    server.kill()
    stderr.seek(0)
    raise benchlib.CommandFailed("meshes serve did not start: %r" % stderr.read())


def fill(client):
    status, body = client.call("POST", "/api/v1/workspaces", json.dumps({"name": "bench"}))
    workspace = json.loads(body)["workspace"]["id"]
    status, body = client.call("POST", "/api/v1/connections", json.dumps(
        {"workspace": workspace, "type": "webhook", "name": "sink", "metadata": {"url": "http://127.0.0.1:9/hook"}}))
    if status != 201:
        raise benchlib.CommandFailed("connection: %d %s" % (status, body[:200]))
    connection = json.loads(body)["connection"]["id"]
    client.call("POST", "/api/v1/rules", json.dumps(
        {"workspace": workspace, "connection": connection, "event": "user.signup", "metadata": {"action": "send_webhook"}}))
    failures = []

    def sender(offset, step):
        for request in range(offset, EVENTS // BATCH, step):
            items = [{"workspace": workspace, "event": "user.signup",
                      "payload": {"email": "user%d@example.com" % (request * BATCH + i), "plan": "pro"}} for i in range(BATCH)]
            status, _ = client.call("POST", "/api/v1/events/bulk", json.dumps(items, separators=(",", ":")))
            if status != 201:
                failures.append(status)

    threads = [threading.Thread(target=sender, args=(i, 4)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise benchlib.CommandFailed("bulk ingest answered %d" % failures[0])
    status, body = client.call("GET", "/api/v1/workspaces/%s/events?limit=1" % workspace)
    event = json.loads(body)["records"][0]["id"]
    return workspace, event


def token_files(folder, key, count):
    """Two files (one per wrk thread) of `count` distinct tokens in all."""
    paths = []
    for thread in range(2):
        path = os.path.join(folder, "tokens-%d.txt" % thread)
        with open(path, "w") as f:
            for _ in range(count // 2):
                f.write(token(key, 60, True) + "\n")
        paths.append(path)
    return paths


def soak(port, folder, requests, key, pid):
    """Cycles through `requests` for SOAK_SECONDS in runs of at most 50 s (a token lives 60 s; each run gets a
    fresh one) while sampling the server's RSS every 5 s. Returns (rate, worst p99, RSS after 1 min, at the end,
    peak)."""
    samples = []
    rss = []
    begin = time.time()
    while time.time() - begin < SOAK_SECONDS - 1:
        seconds = int(min(50, SOAK_SECONDS - (time.time() - begin)))
        if seconds < 1:
            break
        script = write_script(folder, "soak", requests, token=token(key, 60, False))
        runner = threading.Thread(target=lambda: samples.append(wrk(port, script, seconds)))
        runner.start()
        while runner.is_alive():
            rss.append((time.time() - begin, benchlib.status_kib(pid, "VmRSS:")))
            runner.join(5)
    if not samples:
        raise benchlib.CommandFailed("the soak's wrk runs failed")
    rss.append((time.time() - begin, benchlib.status_kib(pid, "VmRSS:")))
    total = sum(count for _, _, count in samples)
    rate = total / (time.time() - begin)
    after_minute = [r for t, r in rss if t >= 60] or [rss[-1][1]]
    return rate, max(p99 for _, p99, _ in samples), after_minute[0], rss[-1][1], max(r for _, r in rss)


def stop(server):
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()


def stage_split(db, folder, routes):
    """The MESHES_TIMINGS=1 report of a server that answered each route for 3 s."""
    server, port, key, stderr = start_server(db, folder, timings=True)
    try:
        for _, request in routes:
            wrk(port, write_script(folder, "split", [request], token=token(key, 60, False)), 3)
    finally:
        stop(server)
    stderr.seek(0)
    return [line.rstrip() for line in stderr.read().splitlines() if line.startswith("timing")]


def main():
    env = benchlib.Env()
    benchlib.ensure_wrk("http")
    folder = os.path.join(env.tmp, "http")
    os.makedirs(folder)
    db = os.path.join(folder, "store.db")
    server, port, key, stderr = start_server(db, folder)
    try:
        started = time.time()
        workspace, event = fill(Client(port, key))
        print("http: stored %d events in %.1f s" % (EVENTS, time.time() - started), file=sys.stderr)
        body = json.dumps({"workspace": workspace, "event": "user.signup",
                           "payload": {"email": "user@example.com", "plan": "pro"}}, separators=(",", ":"))
        routes = [
            ("GET /workspaces/{id}", ("GET", "/api/v1/workspaces/%s" % workspace, None)),
            ("GET /events/{id}", ("GET", "/api/v1/events/%s" % event, None)),
            ("POST /events (1 rule)", ("POST", "/api/v1/events", body)),
            ("GET /workspaces/{id}/events?limit=50", ("GET", "/api/v1/workspaces/%s/events?limit=50" % workspace, None)),
        ]
        results = {}
        health_script = write_script(folder, "healthz", [("GET", "/healthz", None)])
        results["healthz"] = wrk(port, health_script, SECONDS)
        print("http: /healthz %.0f req/s" % results["healthz"][0], file=sys.stderr)
        for name, request in routes:
            script = write_script(folder, "reused", [request], token=token(key, 60, False))
            results[(name, "reused")] = wrk(port, script, SECONDS)
            count = int(min(400000, max(20000, results[(name, "reused")][0] * SECONDS * 1.5)))
            script = write_script(folder, "fresh", [request], token_files=token_files(folder, key, count))
            results[(name, "fresh")] = wrk(port, script, SECONDS)
            wrapped = results[(name, "fresh")][2] > count
            print("http: %s %.0f req/s reused, %.0f fresh%s" % (
                name, results[(name, "reused")][0], results[(name, "fresh")][0],
                " (tokens wrapped around)" if wrapped else ""), file=sys.stderr)
        soak_result = None
        if SOAK_SECONDS > 0:
            soak_result = soak(port, folder, [r for _, r in routes], key, server.pid)
    finally:
        stop(server)
    lines = stage_split(db, folder, routes)
    health = results["healthz"][0]
    targets = {
        "GET /workspaces/{id}": (0.5, 0),
        "GET /events/{id}": (0.5, 0),
        "POST /events (1 rule)": (0.4, 0),
        "GET /workspaces/{id}/events?limit=50": (0.2, 5000),
    }
    rows = [["GET /healthz (reference)", "%.0f" % health, "%.1f" % results["healthz"][1], "1.00x", "-", ""]]
    for name, _ in routes:
        share, floor = targets[name]
        for mode in ("reused", "fresh"):
            rate, p99, _ = results[(name, mode)]
            target = ">= %.2fx%s, p99 < 20" % (share, " and >= %d/s" % floor if floor else "")
            ok = rate >= share * health and rate >= floor and p99 < 20
            rows.append(["%s, %s token" % (name, mode), "%.0f" % rate, "%.1f" % p99, "%.2fx" % (rate / health), target,
                         "ok" if ok else "MISS"])
    print()
    print("http: meshes serve --no-delivery, %d events stored, wrk -t2 -c%d -d%ds per row; ratio = rate / GET /healthz"
          " in the same run" % (EVENTS, CONNECTIONS, SECONDS))
    benchlib.table(["route", "req/s", "p99 ms", "ratio", "target", ""], rows)
    if soak_result:
        rate, p99, minute, end, peak = soak_result
        growth = (end - minute) / minute if minute else 0
        ok = growth <= 0.10
        rows.append(["soak", "", "", "", "", "ok" if ok else "MISS"])
        print("soak: %d s cycling the four routes at %.0f req/s (p99 %.1f ms); server RSS %.1f MiB after 1 min, %.1f MiB"
              " at the end (%+.1f%%), peak %.1f MiB: %s" % (SOAK_SECONDS, rate, p99, minute / 1024, end / 1024,
                                                           growth * 100, peak / 1024, "flat" if ok else "GROWING"))
    if lines:
        print()
        print("server stage split (MESHES_TIMINGS=1, 3 s per route, thread CPU per request):")
        for line in lines:
            print("  " + line)
    if env.strict and any(r[-1] == "MISS" for r in rows):
        sys.exit(1)


if __name__ == "__main__":
    try:
        main()
    except benchlib.CommandFailed as failure:
        sys.exit("http benchmark failed: %s" % failure)
