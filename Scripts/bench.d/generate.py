#!/usr/bin/env python3
# summary: cold / no-op generate and check on a 1,000-rule synthetic tree, against `cp -r` of the outputs
"""Benchmark `generate`: medians over BENCH_RUNS runs on the synthetic tree of make-canonical-tree.py.

Per run, on a fresh copy of the canonical tree (copying is not timed):
  1. cold generate   `agentsmesh generate` with no outputs and no lock (all three targets)
  2. no-op generate  `agentsmesh generate` again on the generated tree (must create/update/delete nothing)
  3. check           `agentsmesh check` on the generated tree (must exit 0)
  4. reference       `cp -r` of every generated top-level entry (all but .agentsmesh/ and agentsmesh.yaml)
                     into a fresh folder
Targets: cold <= 2x reference; no-op and check <= 30 ms.
Extra arguments are passed to make-canonical-tree.py (e.g. `--rules 100` for a smaller tree).
"""

import os
import re
import shutil
import subprocess
import sys

import benchlib

# Not outputs: the canonical inputs, and the stat cache generate keeps for itself (its racy-entry hashes
# depend on timing, so it is neither part of the determinism check nor of the copied reference).
CANONICAL = {".agentsmesh", "agentsmesh.yaml", ".agentsmeshcache"}
COLD_FACTOR = 2.0
ABSOLUTE_MS = 30.0


def main(argv):
    env = benchlib.Env()
    pristine = os.path.join(env.tmp, "pristine")
    subprocess.run([sys.executable, env.data_script("make-canonical-tree.py"), pristine] + argv, check=True)
    canonical_files, canonical_bytes = benchlib.count_files(pristine)

    metrics = {"cold": [], "noop": [], "check": [], "ref": []}
    generated = None
    for run in range(1, env.runs + 1):
        # Run folders are kept until exit (Scripts/bench removes BENCH_TMP): deleting thousands of files
        # between runs slows the next runs' file creation on ext4 (recently-deleted inode scans).
        work = os.path.join(env.tmp, "run-%d" % run)
        shutil.copytree(pristine, work, symlinks=True)

        cold = benchlib.timed([env.binary, "generate"], work)
        summary = last_summary(cold.stdout)
        if summary is None or summary[0] == 0 or summary[1] != 0:
            raise benchlib.CommandFailed("cold generate: unexpected summary %r" % cold.stdout.splitlines()[-1:])
        files_now = benchlib.count_files(work, CANONICAL)
        if generated is None:
            generated = (summary[0], files_now)
        elif files_now != generated[1]:
            raise benchlib.CommandFailed("cold generate is not deterministic: %r vs %r" % (files_now, generated[1]))

        noop = benchlib.timed([env.binary, "generate"], work)
        summary = last_summary(noop.stdout)
        if summary is None or summary[0] != 0 or summary[2] != 0:
            raise benchlib.CommandFailed("no-op generate changed files: %r" % noop.stdout.splitlines()[-1:])

        check = benchlib.timed([env.binary, "check"], work)

        dest = os.path.join(env.tmp, "ref-%d" % run)
        os.mkdir(dest)
        outputs = sorted(e for e in os.listdir(work) if e not in CANONICAL)
        ref = benchlib.timed(["cp", "-r"] + outputs + [dest], work)
        if benchlib.count_files(dest) != files_now:
            raise benchlib.CommandFailed("cp -r copied %r, expected %r" % (benchlib.count_files(dest), files_now))

        for key, sample in (("cold", cold), ("noop", noop), ("check", check), ("ref", ref)):
            metrics[key].append(sample)
        print("run %d/%d: cold %.1f ms, no-op %.1f ms, check %.1f ms, cp -r %.1f ms" % (
            run, env.runs, cold.wall, noop.wall, check.wall, ref.wall), file=sys.stderr)

    def med(key, attr="wall"):
        return benchlib.median([getattr(s, attr) for s in metrics[key]])

    ref_ms = med("ref")
    rows, missed = [], []

    def row(metric, key, target_ms, target_text):
        ours = med(key)
        ok = ours <= target_ms
        if not ok:
            missed.append(metric)
        rows.append([metric, benchlib.fmt_ms(ours), benchlib.fmt_ms(ref_ms), "%.2fx" % (ours / ref_ms),
                     target_text, "ok" if ok else "MISS"])

    row("cold generate (3 targets)", "cold", COLD_FACTOR * ref_ms,
        "<= %.0fx cp -r (%.0f ms)" % (COLD_FACTOR, COLD_FACTOR * ref_ms))
    row("no-op generate", "noop", ABSOLUTE_MS, "<= %.0f ms" % ABSOLUTE_MS)
    row("check", "check", ABSOLUTE_MS, "<= %.0f ms" % ABSOLUTE_MS)

    reported, (out_files, out_bytes) = generated
    print()
    print("generate benchmark: wall-clock medians of %d run(s); reference = `cp -r` of the generated outputs"
          % env.runs)
    print("canonical tree: %d files, %.1f MB (make-canonical-tree.py %s)" % (
        canonical_files, canonical_bytes / 1e6, " ".join(argv) or "defaults"))
    print("files generated: %d (%d on disk outside .agentsmesh/, %.1f MB)" % (reported, out_files, out_bytes / 1e6))
    print()
    benchlib.table(["metric", "ours (ms)", "cp -r (ms)", "ratio", "target", "status"], rows)
    print()
    names = (("cold", "cold"), ("noop", "no-op"), ("check", "check"), ("ref", "cp -r"))
    return benchlib.sample_footer(metrics, names, missed, env.strict)


SUMMARY = re.compile(r"^Generated (\d+) file\(s\), (\d+) unchanged, (\d+) deleted$", re.M)


def last_summary(stdout):
    """(written, unchanged, deleted) from generate's human summary line."""
    found = SUMMARY.findall(stdout)
    return tuple(int(x) for x in found[-1]) if found else None


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except benchlib.CommandFailed as failure:
        print("bench generate: FAILED\n%s" % failure, file=sys.stderr)
        sys.exit(1)
