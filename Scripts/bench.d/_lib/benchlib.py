"""Helpers shared by the Python benchmarks run through Scripts/bench (stdlib only)."""

import os
import resource
import shutil
import statistics
import subprocess
import sys
import time


class Env:
    """What Scripts/bench passes to every benchmark."""

    def __init__(self):
        try:
            self.binary = os.environ["AGENTSMESH_BIN"]
            self.tmp = os.environ["BENCH_TMP"]
            self.root = os.environ["BENCH_ROOT"]
        except KeyError as missing:
            sys.exit("benchmark: %s is not set; run it through Scripts/bench" % missing)
        self.runs = int(os.environ.get("BENCH_RUNS", "5"))
        if self.runs < 1:
            sys.exit("benchmark: BENCH_RUNS must be >= 1")
        self.strict = os.environ.get("BENCH_STRICT") == "1"

    def data_script(self, name):
        return os.path.join(self.root, "Scripts", "bench-data", name)


class CommandFailed(Exception):
    pass


class Sample:
    """One timed command: wall milliseconds, CPU milliseconds (user + system of the child), stdout."""

    def __init__(self, wall, cpu, stdout):
        self.wall, self.cpu, self.stdout = wall, cpu, stdout


def _children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (usage.ru_utime + usage.ru_stime) * 1000.0


def timed(cmd, cwd, expect=0):
    """Runs cmd in cwd and returns a Sample. Raises CommandFailed on another exit status.

    Only the child's lifetime is timed (perf_counter around spawn + wait); output is captured in pipes.
    CPU time comes from RUSAGE_CHILDREN deltas, so run one timed command at a time. Dirty pages (the build's,
    the previous sample's files) are flushed first, untimed: background writeback would otherwise compete
    with the sample's own file creation (observed: 3-10x slower first samples right after a build)."""
    os.sync()
    cpu0 = _children_cpu()
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    elapsed = (time.perf_counter() - start) * 1000.0
    cpu = _children_cpu() - cpu0
    if proc.returncode != expect:
        raise CommandFailed("`%s` (in %s) exited %d, expected %d\n--- stderr ---\n%s--- stdout (tail) ---\n%s" % (
            " ".join(cmd), cwd, proc.returncode, expect, proc.stderr.decode(errors="replace"),
            "\n".join(proc.stdout.decode(errors="replace").splitlines()[-20:])))
    return Sample(elapsed, cpu, proc.stdout.decode(errors="replace"))


def median(samples):
    return statistics.median(samples)


def sample_footer(metrics, names, missed, strict):
    """Prints the CPU medians and raw wall samples of each metric (`names`: (key, label) pairs) and the missed
    targets; returns the exit status (1 only for a miss under BENCH_STRICT)."""
    print("cpu (user+sys) medians (ms): %s" % ", ".join(
        "%s %.1f" % (label, median([s.cpu for s in metrics[key]])) for key, label in names))
    print("wall samples (ms): %s" % " | ".join(
        "%s %s" % (label, " ".join("%.0f" % s.wall for s in metrics[key])) for key, label in names))
    if missed:
        print("missed targets: %s" % ", ".join(missed))
        if strict:
            return 1
    return 0


def fmt_ms(value):
    return "%.1f" % value


def table(headers, rows):
    """Prints a left-aligned first column, right-aligned other columns."""
    widths = [max(len(str(r[i])) for r in [headers] + rows) for i in range(len(headers))]
    def line(r):
        cells = [str(r[0]).ljust(widths[0])] + [str(c).rjust(w) for c, w in zip(r[1:], widths[1:])]
        return "  ".join(cells).rstrip()
    print(line(headers))
    print("  ".join("-" * w for w in widths))
    for r in rows:
        print(line(r))


def count_files(path, exclude_top=()):
    """Number of regular files and their total bytes below path, skipping top-level names in exclude_top."""
    files = size = 0
    for entry in os.listdir(path):
        if entry in exclude_top:
            continue
        full = os.path.join(path, entry)
        if os.path.isdir(full) and not os.path.islink(full):
            for dirpath, _, names in os.walk(full):
                for n in names:
                    files += 1
                    size += os.lstat(os.path.join(dirpath, n)).st_size
        else:
            files += 1
            size += os.lstat(full).st_size
    return files, size


def env_bin(name, bench):
    """The executable Scripts/bench passes in environment variable `name`; exits naming `bench` when it is missing."""
    value = os.environ.get(name)
    if not value or not os.access(value, os.X_OK):
        sys.exit("%s benchmark: %s is not set or not executable; run it through Scripts/bench" % (bench, name))
    return value


def ensure_wrk(bench):
    """Installs wrk (Debian package) when it is missing."""
    if shutil.which("wrk"):
        return
    print("%s benchmark: installing wrk (Debian package)" % bench, file=sys.stderr)
    subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=True, stdout=subprocess.DEVNULL)


def status_kib(pid, field):
    """A `/proc/PID/status` memory field (`VmRSS:`, `VmHWM:`) in KiB, 0 once the process is gone."""
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith(field):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0
