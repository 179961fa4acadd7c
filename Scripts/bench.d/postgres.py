#!/usr/bin/env python3
# summary: meshes on PostgreSQL (1 and 2 nodes) vs one node on SQLite: bulk ingest and deliveries/s, beside pgbench
"""PostgreSQL benchmark (issue: meshes on PostgreSQL).

One run starts a private PostgreSQL cluster (Debian's package; as the `postgres` user when run as root) with
`synchronous_commit=off`, which is what the SQLite store gives (WAL, synchronous=NORMAL: a commit survives a crash of
the process, not of the machine), and measures on fresh stores:
  - reference: `pgbench -b simple-update` (8 clients, 10 s) on the same server: the database's own write rate.
  - ingest: `meshes serve --no-delivery`, 20,000 events in bulk requests of 100 from 4 client threads; events/s
    on SQLite and on PostgreSQL.
  - delivery: the same 20,000 events to one webhook rule on a local keep-alive receiver, delivered by `meshes deliver
    --until-idle --workers 64`: one process on SQLite, one and two processes on PostgreSQL; deliveries/s from their
    start to the last arrival.
Reported as ratios: PostgreSQL vs SQLite for each, two nodes vs one, and ingest transactions/s vs pgbench's."""

import base64
import glob
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

import benchlib
from meshesclient import Client

EVENTS = int(os.environ.get("POSTGRES_EVENTS", "20000"))
BATCH = 100
THREADS = 4
WORKERS = 64



def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    """A private PostgreSQL server in `folder`, user `meshes` with a password, on a free loopback port."""

    def __init__(self, folder):
        candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        if not candidates:
            raise benchlib.CommandFailed("PostgreSQL is not installed: run Scripts/bootstrap")
        self.bin = os.path.dirname(candidates[-1])
        self.folder = folder
        self.password = base64.b16encode(os.urandom(12)).decode().lower()
        self.as_postgres = os.getuid() == 0
        os.chmod(folder, 0o700)
        with open(os.path.join(folder, "pw"), "w") as f:
            f.write(self.password)
        if self.as_postgres:
            subprocess.run(["chown", "-R", "postgres:", folder], check=True)
        self.run("initdb", "-D", folder + "/data", "-U", "meshes", "--pwfile=" + folder + "/pw", "--auth=scram-sha-256",
                 "-E", "UTF8", "--no-locale")
        self.port = free_port()
        options = ("-c listen_addresses=127.0.0.1 -c port=%d -c unix_socket_directories='%s' -c synchronous_commit=off "
                   "-c max_connections=200 -c shared_buffers=256MB" % (self.port, folder))
        self.run("pg_ctl", "-D", folder + "/data", "-l", folder + "/server.log", "-o", options, "-w", "start")

    def run(self, tool, *args, env=None):
        command = [os.path.join(self.bin, tool)] + list(args)
        if self.as_postgres:
            command = ["runuser", "-u", "postgres", "--"] + command
        result = subprocess.run(command, capture_output=True, text=True, env=env)
        if result.returncode != 0:
            raise benchlib.CommandFailed("%s failed: %s" % (tool, (result.stdout + result.stderr)[-500:]))
        return result.stdout

    def url(self, database):
        return "postgres://meshes:%s@127.0.0.1:%d/%s?sslmode=disable" % (self.password, self.port, database)

    def psql(self, sql, database="postgres"):
        env = dict(os.environ, PGPASSWORD=self.password)
        return self.run("psql", "-X", "-q", "-A", "-t", "-h", "127.0.0.1", "-p", str(self.port), "-U", "meshes", "-d",
                        database, "-c", sql, env=env).strip()

    def create(self, database):
        self.psql("CREATE DATABASE %s" % database)
        return self.url(database)

    def pgbench(self):
        env = dict(os.environ, PGPASSWORD=self.password)
        self.create("pgbench")
        common = ["-h", "127.0.0.1", "-p", str(self.port), "-U", "meshes"]
        self.run("pgbench", "-i", "-q", "-s", "10", *common, "pgbench", env=env)
        out = self.run("pgbench", "-b", "simple-update", "-c", "8", "-j", "2", "-T", "10", *common, "pgbench", env=env)
        match = re.search(r"tps = ([0-9.]+)", out)
        if not match:
            raise benchlib.CommandFailed("pgbench printed no rate: %r" % out[-300:])
        return float(match.group(1))

    def stop(self):
        try:
            self.run("pg_ctl", "-D", self.folder + "/data", "-m", "immediate", "-w", "stop")
        except benchlib.CommandFailed:
            pass
        shutil.rmtree(self.folder, ignore_errors=True)


def environment(key):
    env = dict(os.environ)
    env["MESHES_MASTER_KEY"] = key
    for name in ("MESHES_DB", "MESHES_ACCESS_KEY", "MESHES_SECRET_KEY", "MESHES_ORG_ID"):
        env.pop(name, None)
    return env


def start_server(db, folder, env):
    keys = subprocess.run([benchlib.env_bin("MESHES_BIN", "postgres"), "keys", "create", "--json", "--db", db], cwd=folder, env=env,
                          capture_output=True)
    if keys.returncode != 0:
        raise benchlib.CommandFailed("keys create: %s" % keys.stderr.decode()[-300:])
    server = subprocess.Popen([benchlib.env_bin("MESHES_BIN", "postgres"), "serve", "--port", "0", "--db", db, "--no-delivery", "--allow-http"],
                              cwd=folder, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    line = server.stderr.readline().decode()
    if "listening on" not in line:
        server.kill()
        raise benchlib.CommandFailed("meshes serve did not start: %r" % line)
    return server, int(line.strip().rsplit(":", 1)[1]), json.loads(keys.stdout)


def ingest(db, folder, env, receiver_port, nodes=1):
    """Sets up one webhook rule, then bulk-ingests EVENTS from THREADS threads spread over `nodes` servers on the
    same store; returns events/s."""
    servers = []
    try:
        for _ in range(nodes):
            servers.append(start_server(db, folder, env))
        key = servers[0][2]
        clients = [Client(port, key) for _, port, _ in servers]
        client = clients[0]
        status, body = client.call("POST", "/api/v1/workspaces", json.dumps({"name": "bench"}))
        workspace = json.loads(body)["workspace"]["id"]
        status, body = client.call("POST", "/api/v1/connections", json.dumps(
            {"workspace": workspace, "type": "webhook", "name": "sink",
             "metadata": {"url": "http://127.0.0.1:%d/hook" % receiver_port, "max_concurrency": 64}}))
        if status != 201:
            raise benchlib.CommandFailed("connection: %d %s" % (status, body[:200]))
        connection = json.loads(body)["connection"]["id"]
        client.call("POST", "/api/v1/rules", json.dumps(
            {"workspace": workspace, "connection": connection, "event": "user.signup",
             "metadata": {"action": "send_webhook"}}))
        failures = []

        def send(offset):
            for request in range(offset, EVENTS // BATCH, THREADS):
                items = [{"workspace": workspace, "event": "user.signup",
                          "payload": {"email": "user%d@example.com" % (request * BATCH + i), "plan": "pro"}}
                         for i in range(BATCH)]
                status, _ = clients[offset % len(clients)].call(
                    "POST", "/api/v1/events/bulk", json.dumps(items, separators=(",", ":")))
                if status != 201:
                    failures.append(status)

        start = time.perf_counter()
        threads = [threading.Thread(target=send, args=(i,)) for i in range(THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - start
        if failures:
            raise benchlib.CommandFailed("%d bulk requests failed, e.g. %d" % (len(failures), failures[0]))
        return EVENTS / elapsed
    finally:
        for server, _, _ in servers:
            server.terminate()
            server.wait(timeout=30)


def deliver(db, folder, env, receiver_port, nodes):
    """Delivers what `ingest` stored with `nodes` `meshes deliver --until-idle` processes; returns deliveries/s."""
    Client(receiver_port).call("DELETE", "/stats")
    start = time.perf_counter()
    processes = [subprocess.Popen([benchlib.env_bin("MESHES_BIN", "postgres"), "deliver", "--until-idle", "--workers", str(WORKERS),
                                   "--allow-http", "--allow-private-egress", "--db", db], cwd=folder, env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for _ in range(nodes)]
    last = None
    deadline = time.time() + 600
    while time.time() < deadline:
        stats = json.loads(Client(receiver_port).call("GET", "/stats")[1])
        if stats["distinct"] >= EVENTS:
            last = time.perf_counter()
            break
        if all(p.poll() is not None for p in processes):
            break
        time.sleep(0.02)
    for process in processes:
        try:
            process.wait(timeout=120)
        except subprocess.TimeoutExpired:
            process.kill()
    stats = json.loads(Client(receiver_port).call("GET", "/stats")[1])
    if last is None or stats["distinct"] < EVENTS:
        errors = " | ".join(p.stderr.read().decode()[-200:] for p in processes)
        raise benchlib.CommandFailed("only %d of %d deliveries arrived (%s)" % (stats["distinct"], EVENTS, errors))
    return EVENTS / (last - start)


def main():
    env_info = benchlib.Env()
    runs = max(1, min(env_info.runs, 3))
    key = base64.urlsafe_b64encode(os.urandom(32)).rstrip(b"=").decode()
    env = environment(key)
    results = {name: [] for name in ("pgbench", "ingest_sqlite", "ingest_pg1", "ingest_pg2", "deliver_sqlite", "deliver_pg1",
                                     "deliver_pg2")}
    for run in range(runs):
        folder = os.path.join(env_info.tmp, "postgres-%d" % run)
        os.makedirs(folder)
        # Outside BENCH_TMP (0700, root's): the server runs as the `postgres` user when we are root.
        cluster = Cluster(tempfile.mkdtemp(prefix="meshes-bench-pg-"))
        receiver = subprocess.Popen([benchlib.env_bin("MESHES_BENCH_BIN", "postgres"), "receiver", "--port", "0"], cwd=folder,
                                    stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        try:
            receiver_port = int(receiver.stdout.readline().decode().strip())
            results["pgbench"].append(cluster.pgbench())
            sqlite = os.path.join(folder, "meshes.db")
            results["ingest_sqlite"].append(ingest(sqlite, folder, env, receiver_port))
            results["deliver_sqlite"].append(deliver(sqlite, folder, env, receiver_port, 1))
            for nodes in (1, 2):
                url = cluster.create("meshes_%d" % nodes)
                results["ingest_pg%d" % nodes].append(ingest(url, folder, env, receiver_port, nodes))
                results["deliver_pg%d" % nodes].append(deliver(url, folder, env, receiver_port, nodes))
        finally:
            receiver.terminate()
            receiver.wait(timeout=10)
            cluster.stop()
        print("run %d/%d: pgbench %.0f tps; ingest sqlite %.0f pg1 %.0f pg2 %.0f ev/s; deliver sqlite %.0f pg1 %.0f pg2 %.0f /s"
              % (run + 1, runs, results["pgbench"][-1], results["ingest_sqlite"][-1], results["ingest_pg1"][-1],
                 results["ingest_pg2"][-1], results["deliver_sqlite"][-1], results["deliver_pg1"][-1],
                 results["deliver_pg2"][-1]), file=sys.stderr)
    m = {name: benchlib.median(values) for name, values in results.items()}
    # One bulk request of 100 is one transaction.
    pg_tps = m["ingest_pg1"] / BATCH
    rows = [
        ["pgbench simple-update (tps)", "%.0f" % m["pgbench"], "-", "-", "the database's own limit", ""],
        ["bulk ingest, PostgreSQL 1 node (events/s)", "%.0f" % m["ingest_pg1"], "%.0f" % m["ingest_sqlite"],
         "%.2fx" % (m["ingest_pg1"] / m["ingest_sqlite"]), "ref = SQLite 1 node", ""],
        ["bulk ingest, PostgreSQL 2 nodes (events/s)", "%.0f" % m["ingest_pg2"], "%.0f" % m["ingest_pg1"],
         "%.2fx" % (m["ingest_pg2"] / m["ingest_pg1"]), "ref = PostgreSQL 1 node", ""],
        ["bulk ingest transactions/s (1 node) vs pgbench", "%.0f" % pg_tps, "%.0f" % m["pgbench"],
         "%.3fx" % (pg_tps / m["pgbench"]), "100 events per transaction", ""],
        ["deliveries/s, PostgreSQL 1 node", "%.0f" % m["deliver_pg1"], "%.0f" % m["deliver_sqlite"],
         "%.2fx" % (m["deliver_pg1"] / m["deliver_sqlite"]), "ref = SQLite 1 node", ""],
        ["deliveries/s, PostgreSQL 2 nodes", "%.0f" % m["deliver_pg2"], "%.0f" % m["deliver_pg1"],
         "%.2fx" % (m["deliver_pg2"] / m["deliver_pg1"]), "ref = PostgreSQL 1 node", ""],
    ]
    print()
    print("postgres: %d events, one webhook rule, local keep-alive receiver; PostgreSQL with synchronous_commit=off "
          "(SQLite: WAL, synchronous=NORMAL); all processes share this machine's %d cores; median of %d"
          % (EVENTS, os.cpu_count() or 0, runs))
    benchlib.table(["metric", "ours", "ref", "ratio", "note", ""], rows)


if __name__ == "__main__":
    try:
        main()
    except benchlib.CommandFailed as failure:
        sys.exit("postgres benchmark failed: %s" % failure)
