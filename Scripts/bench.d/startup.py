#!/usr/bin/env python3
# summary: process start-up of `agentsmesh --version` and `meshes --version` vs `/bin/true`
"""Times whole-process start-up, the floor under every CLI verb and every MCP server launch:
  - `agentsmesh --version` and `meshes --version` (release build, Swift runtime linked statically);
  - reference, same run: `/bin/true` (exec + exit of a C program);
  - with BASELINE_AGENTSMESH=/path/to/agentsmesh, that binary too (to compare two builds in one run).
Target: `agentsmesh --version` <= 15 ms (median)."""

import os
import sys

import benchlib

TARGET_MS = 15.0


def main(argv):
    env = benchlib.Env()
    runs = max(env.runs, 5) * 40
    commands = [("/bin/true (reference)", ["/bin/true"]), ("agentsmesh --version", [env.binary, "--version"])]
    meshes = os.environ.get("MESHES_BIN")
    if meshes and os.access(meshes, os.X_OK):
        commands.append(("meshes --version", [meshes, "--version"]))
    baseline = os.environ.get("BASELINE_AGENTSMESH")
    if baseline:
        commands.append(("baseline agentsmesh --version", [baseline, "--version"]))
    metrics = {label: [] for label, _ in commands}
    # Interleaved, so drift in the machine's load touches every command alike.
    for _ in range(runs):
        for label, cmd in commands:
            metrics[label].append(benchlib.timed(cmd, env.tmp))
    reference = benchlib.median([s.wall for s in metrics["/bin/true (reference)"]])
    rows, missed = [], []
    for label, _ in commands:
        wall = benchlib.median([s.wall for s in metrics[label]])
        target = ""
        if label == "agentsmesh --version":
            ok = wall <= TARGET_MS
            target = "<= %.0f ms %s" % (TARGET_MS, "ok" if ok else "MISS")
            if not ok:
                missed.append(label)
        rows.append([label, benchlib.fmt_ms(wall), "%.2fx" % (wall / reference), target])
    print("start-up, %d runs each (median wall ms)" % runs)
    benchlib.table(["command", "median ms", "vs /bin/true", "target"], rows)
    return _footer(metrics, commands, missed, env)


def _footer(metrics, commands, missed, env):
    print("cpu (user+sys) medians (ms): %s" % ", ".join(
        "%s %.1f" % (label, benchlib.median([s.cpu for s in metrics[label]])) for label, _ in commands))
    if missed:
        print("missed targets: %s" % ", ".join(missed))
        if env.strict:
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
