#!/usr/bin/env python3
# summary: lessons query on a 5,000-lesson graph vs parsing the same graph with Python's json module
"""Times `agentsmesh lessons query` (whole process: load, parse, index, match, rank, print) on a synthetic
5,000-lesson graph, for a file, a command and a keyword query. Reference, same run: a Python process that
only parses the same lessons.json (`json.load`). Target: every query <= 20 ms (median)."""

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
        rows.append([label, benchlib.fmt_ms(ours), benchlib.fmt_ms(ref_ms), "%.2fx" % (ours / ref_ms),
                     "<= %.0f ms" % TARGET_MS, "ok" if ok else "MISS"])

    print()
    print("lessons: 5,000 lessons (%.0f KiB lessons.json), median of %d runs; reference = python3 json.load of the same file" % (size_kib, runs))
    benchlib.table(["metric", "ours ms", "ref ms", "ratio", "target", ""], rows)
    if missed and env.strict:
        sys.exit(1)


if __name__ == "__main__":
    try:
        main(sys.argv[1:])
    except benchlib.CommandFailed as failure:
        sys.exit("lessons benchmark failed: %s" % failure)
