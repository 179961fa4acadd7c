#!/usr/bin/env python3
# summary: lessons query on a 5,000-lesson graph vs parsing the same graph with Python's json module
"""Times a lessons query on a synthetic 5,000-lesson graph, for a file, a command and a keyword query:
  - `agentsmesh lessons query` as a whole process (start-up, load, parse, index, match, rank, print);
  - in-process through the library (`agentsmesh-bench lessons-query`): cold = a fresh LessonsService per
    query (read + decode + match), warm = one long-lived service, as the MCP server keeps it.
Reference, same run: a Python process that only parses the same lessons.json (`json.load`), and
`agentsmesh --version` (the process start-up floor). Target: a query <= 20 ms (median)."""

import json
import os
import subprocess
import sys

import benchlib

TARGET_MS = 20.0
QUERIES = [
    ("query --file", ["--file", "src/module17/file3.ts"]),
    ("query --cmd", ["--cmd", "npm run test -- --watch"]),
    ("query --keyword", ["--keyword", "webhook signature"]),
]


def main(argv):
    env = benchlib.Env()
    project = os.path.join(env.tmp, "lessons-project")
    subprocess.run([sys.executable, env.data_script("make-lessons-graph.py"), project, "--lessons", "5000"], check=True)
    graph = os.path.join(project, ".agentsmesh", "lessons", "lessons.json")
    size_kib = os.path.getsize(graph) / 1024.0
    runs = max(env.runs, 5) * 4

    reference = [benchlib.timed([sys.executable, "-S", "-c", "import json,sys; json.load(open(sys.argv[1]))", graph], project).wall
                 for _ in range(runs)]
    ref_ms = benchlib.median(reference)

    floor = benchlib.median([benchlib.timed([env.binary, "--version"], project).wall for _ in range(runs)])
    driver = os.environ.get("AGENTSMESH_BENCH_BIN")
    rows, missed = [], []
    for label, args in QUERIES:
        command = [env.binary, "lessons", "query"] + args + ["--json", "--no-dedup"]
        first = benchlib.timed(command, project)
        if '"success": true' not in first.stdout:
            raise benchlib.CommandFailed("%s: unexpected output %r" % (label, first.stdout[:200]))
        walls = [benchlib.timed(command, project).wall for _ in range(runs)]
        ours = benchlib.median(walls)
        ok = ours <= TARGET_MS
        if not ok:
            missed.append(label)
        rows.append([label + " (process)", benchlib.fmt_ms(ours), benchlib.fmt_ms(ref_ms), "%.2fx" % (ours / ref_ms),
                     "<= %.0f ms" % TARGET_MS, "ok" if ok else "MISS"])
        if driver and os.access(driver, os.X_OK):
            flag = {"--file": "--file", "--cmd": "--cmd", "--keyword": "--keyword"}[args[0]]
            out = subprocess.run([driver, "lessons-query", "--root", project, flag, args[1], "--runs", str(runs)],
                                 capture_output=True, check=True)
            measured = json.loads(out.stdout)
            for kind in ("cold", "warm"):
                value = measured[kind + "_ms"]
                good = value <= TARGET_MS
                if not good:
                    missed.append(label + " " + kind)
                rows.append([label + " (in-process, %s)" % kind, "%.2f" % value, benchlib.fmt_ms(ref_ms), "%.3fx" % (value / ref_ms),
                             "<= %.0f ms" % TARGET_MS, "ok" if good else "MISS"])

    print()
    print("lessons: 5,000 lessons (%.0f KiB lessons.json), median of %d runs; reference = python3 json.load of the same file;"
          " process start-up floor (agentsmesh --version) %.1f ms" % (size_kib, runs, floor))
    benchlib.table(["metric", "ours ms", "ref ms", "ratio", "target", ""], rows)
    if missed and env.strict:
        sys.exit(1)


if __name__ == "__main__":
    try:
        main(sys.argv[1:])
    except benchlib.CommandFailed as failure:
        sys.exit("lessons benchmark failed: %s" % failure)
