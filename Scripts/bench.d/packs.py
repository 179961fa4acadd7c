#!/usr/bin/env python3
# summary: install a 2,000-file pack from a local bare git repo / a .tar.gz, against `git clone --depth 1` / `tar xzf`
"""Benchmark `install`: medians over BENCH_RUNS runs on the synthetic pack of make-pack-tree.py.

Set-up (not timed): the pack folder (only `.agentsmesh/`, N files, default 2,000) is written once, packed
into `packs-bench.tar.gz` (top folder `packs-bench/`, gzip level 6) and committed into a bare repository
`packs-bench.git` (branch main, one commit, objects repacked as a server would hold them).

Per run, each in a fresh project prepared with `agentsmesh init --yes --all-targets` (not timed):
  1. git install      `agentsmesh install git+file://<bare repo>` with AGENTSMESH_ALLOW_LOCAL_GIT=1 and a
                      fresh, empty AGENTSMESH_CACHE (cold fetch: clone into the cache, materialise the tree,
                      classify, stage the pack, then the generate that install runs afterwards)
  2. git reference    `git clone -q --depth 1 file://<bare repo> DEST` (file:// so git packs and sends the
                      objects instead of hard-linking them)
  3. archive install  `agentsmesh install <abs path>/packs-bench.tar.gz` (local archive source)
  4. tar reference    `tar xzf packs-bench.tar.gz -C <empty folder>`
  5. generate share   (info) a third fresh project gets a copy of the installed pack folder and installs.yaml,
                      then `agentsmesh generate` is timed: the generate step that both installs include.
Every install must report N entities installed, leave exactly N pack files (plus pack.yaml and the install
manifest) in `.agentsmesh/packs/packs-bench/` with the generator's bytes, and generate the same outputs
as step 5; every reference must produce the N files.
Targets: git install <= 1.2x git clone; archive install <= 1.5x tar xzf.
HOME points at an empty scratch folder for every command (no user git config, no ~/.ssh, no ~/.claude).
Extra arguments are passed to make-pack-tree.py (e.g. `--files 200` for a smaller pack).
"""

import filecmp
import os
import re
import shutil
import subprocess
import sys

import benchlib

PACK = "packs-bench"
GIT_FACTOR = 1.2
TAR_FACTOR = 1.5
META = {"pack.yaml", ".agentsmesh-install-manifest.json"}


def run(cmd, cwd, env=None):
    """An untimed set-up command; raises CommandFailed with its output on failure."""
    proc = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if proc.returncode != 0:
        raise benchlib.CommandFailed("`%s` (in %s) exited %d\n%s" % (
            " ".join(cmd), cwd, proc.returncode, proc.stdout.decode(errors="replace")))
    return proc.stdout.decode(errors="replace")


def list_files(root, skip_top=()):
    """Relative paths of every regular file below root (top-level names in skip_top skipped)."""
    out = []
    for dirpath, dirnames, names in os.walk(root):
        if dirpath == root:
            dirnames[:] = [d for d in dirnames if d not in skip_top]
            names = [n for n in names if n not in skip_top]
        rel = os.path.relpath(dirpath, root)
        out.extend(n if rel == "." else os.path.join(rel, n) for n in names)
    return sorted(out)


class Fixture:
    """The pack source in its three forms."""

    def __init__(self, env, argv):
        self.folder = os.path.join(env.tmp, "src", PACK)
        os.makedirs(self.folder)
        line = run([sys.executable, env.data_script("make-pack-tree.py"), self.folder] + argv, env.tmp)
        found = re.search(r"files=(\d+) entities=(\d+)", line)
        if not found:
            raise benchlib.CommandFailed("make-pack-tree.py printed %r" % line)
        self.files, self.entities = int(found.group(1)), int(found.group(2))
        self.mesh = os.path.join(self.folder, ".agentsmesh")
        self.pack_files = list_files(self.mesh)
        if len(self.pack_files) != self.files:
            raise benchlib.CommandFailed("pack tree has %d files, expected %d" % (len(self.pack_files), self.files))
        self.bytes = sum(os.path.getsize(os.path.join(self.mesh, p)) for p in self.pack_files)

        # The archive first (the folder has no .git yet); deterministic member order and metadata.
        self.archive = os.path.join(env.tmp, PACK + ".tar.gz")
        run(["tar", "--sort=name", "--owner=0", "--group=0", "--numeric-owner", "--mtime=@1767225600",
             "-czf", self.archive, "-C", os.path.dirname(self.folder), PACK], env.tmp)

        # One commit on main, then a bare clone with the objects packed.
        git_env = dict(os.environ, GIT_AUTHOR_NAME="bench", GIT_AUTHOR_EMAIL="bench@example.com",
                       GIT_COMMITTER_NAME="bench", GIT_COMMITTER_EMAIL="bench@example.com",
                       GIT_AUTHOR_DATE="2026-01-01T00:00:00Z", GIT_COMMITTER_DATE="2026-01-01T00:00:00Z")
        run(["git", "init", "-q", "-b", "main", "."], self.folder, git_env)
        run(["git", "add", "-A"], self.folder, git_env)
        run(["git", "commit", "-q", "-m", "synthetic pack"], self.folder, git_env)
        self.bare = os.path.join(env.tmp, PACK + ".git")
        run(["git", "clone", "-q", "--bare", "--no-local", self.folder, self.bare], env.tmp, git_env)
        run(["git", "repack", "-adq"], self.bare, git_env)
        self.commit = run(["git", "rev-parse", "HEAD"], self.bare).strip()
        shutil.rmtree(os.path.join(self.folder, ".git"))
        self.git_bytes = sum(os.path.getsize(os.path.join(self.bare, p)) for p in list_files(self.bare))

    def check_tree(self, root, what):
        """root must hold exactly the pack files with the generator's bytes."""
        present = list_files(root)
        if present != self.pack_files:
            missing = sorted(set(self.pack_files) - set(present))[:5]
            extra = sorted(set(present) - set(self.pack_files))[:5]
            raise benchlib.CommandFailed("%s: %d files, expected %d (missing %r, extra %r)" % (
                what, len(present), self.files, missing, extra))
        _, mismatch, errors = filecmp.cmpfiles(self.mesh, root, self.pack_files, shallow=False)
        if mismatch or errors:
            raise benchlib.CommandFailed("%s: %d file(s) differ from the source, e.g. %r" % (
                what, len(mismatch) + len(errors), (mismatch + errors)[:3]))


INSTALLED = re.compile(r"^Installed (\d+) item\(s\) as pack '([^']+)'\.$", re.M)
GENERATED = re.compile(r"^Generated (\d+) file\(s\), (\d+) unchanged, (\d+) deleted$", re.M)


def new_project(env, path):
    os.makedirs(path)
    run([env.binary, "init", "--yes", "--all-targets"], path)
    return path


def outputs_of(project):
    """Files the project holds outside .agentsmesh/ (the generated outputs and init's files)."""
    return list_files(project, skip_top={".agentsmesh"})


def check_install(fixture, project, sample, what):
    found = INSTALLED.findall(sample.stdout)
    if not found or int(found[-1][0]) != fixture.entities or found[-1][1] != PACK:
        raise benchlib.CommandFailed("%s: expected `Installed %d item(s) as pack '%s'.`, got %r" % (
            what, fixture.entities, PACK, sample.stdout.splitlines()[-3:]))
    pack = os.path.join(project, ".agentsmesh", "packs", PACK)
    for meta in META:
        if not os.path.isfile(os.path.join(pack, meta)):
            raise benchlib.CommandFailed("%s: %s missing in the pack folder" % (what, meta))
    staged = [p for p in list_files(pack) if p not in META]
    if len(staged) != fixture.files:
        raise benchlib.CommandFailed("%s: pack folder holds %d files, expected %d" % (what, len(staged), fixture.files))
    _, mismatch, errors = filecmp.cmpfiles(fixture.mesh, pack, fixture.pack_files, shallow=False)
    if mismatch or errors:
        raise benchlib.CommandFailed("%s: %d pack file(s) differ from the source" % (what, len(mismatch) + len(errors)))
    with open(os.path.join(project, ".agentsmesh", ".lock")) as lock:
        if PACK not in lock.read():
            raise benchlib.CommandFailed("%s: .agentsmesh/.lock does not record pack %s (generate did not run?)" % (what, PACK))


def main(argv):
    env = benchlib.Env()
    home = os.path.join(env.tmp, "home")
    os.makedirs(home)
    os.environ.update(HOME=home, GIT_CONFIG_NOSYSTEM="1", AGENTSMESH_ALLOW_LOCAL_GIT="1", LC_ALL="C")
    os.environ.pop("AGENTSMESH_CACHE", None)
    fixture = Fixture(env, argv)
    git_source = "git+file://" + fixture.bare

    metrics = {"git": [], "clone": [], "tar": [], "untar": [], "gen": []}
    outputs = None
    for n in range(1, env.runs + 1):
        # Run folders are kept until exit (see generate.py: deleting thousands of files slows later runs).
        work = os.path.join(env.tmp, "run-%d" % n)
        os.makedirs(work)

        git_project = new_project(env, os.path.join(work, "git-project"))
        os.environ["AGENTSMESH_CACHE"] = os.path.join(work, "cache")  # created by install: cold fetch
        git = benchlib.timed([env.binary, "install", git_source], git_project)
        check_install(fixture, git_project, git, "git install")
        cache = os.path.join(work, "cache", "git")
        if not os.path.isdir(cache) or not os.listdir(cache):
            raise benchlib.CommandFailed("git install did not fill AGENTSMESH_CACHE (%s)" % cache)

        clone_dest = os.path.join(work, "clone")
        clone = benchlib.timed(["git", "clone", "-q", "--depth", "1", "file://" + fixture.bare, clone_dest], work)
        fixture.check_tree(os.path.join(clone_dest, ".agentsmesh"), "git clone")
        if len(list_files(clone_dest, skip_top={".git"})) != fixture.files:
            raise benchlib.CommandFailed("git clone: unexpected files outside .agentsmesh/")

        tar_project = new_project(env, os.path.join(work, "archive-project"))
        tar = benchlib.timed([env.binary, "install", fixture.archive], tar_project)
        check_install(fixture, tar_project, tar, "archive install")

        untar_dest = os.path.join(work, "untar")
        os.makedirs(untar_dest)
        untar = benchlib.timed(["tar", "xzf", fixture.archive, "-C", untar_dest], work)
        fixture.check_tree(os.path.join(untar_dest, PACK, ".agentsmesh"), "tar xzf")

        # The generate step alone: same project state as right after the git install's staging.
        gen_project = new_project(env, os.path.join(work, "generate-project"))
        shutil.copytree(os.path.join(git_project, ".agentsmesh", "packs"),
                        os.path.join(gen_project, ".agentsmesh", "packs"))
        shutil.copy2(os.path.join(git_project, ".agentsmesh", "installs.yaml"),
                     os.path.join(gen_project, ".agentsmesh", "installs.yaml"))
        gen = benchlib.timed([env.binary, "generate"], gen_project)
        summary = GENERATED.findall(gen.stdout)
        if not summary or int(summary[-1][0]) == 0:
            raise benchlib.CommandFailed("generate of the installed pack: unexpected summary %r" % gen.stdout.splitlines()[-1:])

        produced = [outputs_of(p) for p in (git_project, tar_project, gen_project)]
        if produced[0] != produced[1] or produced[0] != produced[2]:
            raise benchlib.CommandFailed("git install, archive install and generate produced different outputs "
                                         "(%d, %d, %d files outside .agentsmesh/)" % tuple(len(p) for p in produced))
        if outputs is None:
            outputs = (len(produced[0]), int(summary[-1][0]))

        for key, sample in (("git", git), ("clone", clone), ("tar", tar), ("untar", untar), ("gen", gen)):
            metrics[key].append(sample)
        print("run %d/%d: git install %.1f ms, git clone %.1f ms, archive install %.1f ms, tar xzf %.1f ms, "
              "generate alone %.1f ms" % (n, env.runs, git.wall, clone.wall, tar.wall, untar.wall, gen.wall),
              file=sys.stderr)

    def med(key, attr="wall"):
        return benchlib.median([getattr(s, attr) for s in metrics[key]])

    def med_minus(key, other="gen"):
        return benchlib.median([a.wall - b.wall for a, b in zip(metrics[key], metrics[other])])

    rows, missed = [], []

    def row(metric, ours, ref_key, factor, ref_name):
        ref = med(ref_key)
        ok = ours <= factor * ref
        if not ok:
            missed.append(metric)
        rows.append([metric, benchlib.fmt_ms(ours), benchlib.fmt_ms(ref), "%.2fx" % (ours / ref),
                     "<= %.1fx %s (%.0f ms)" % (factor, ref_name, factor * ref), "ok" if ok else "MISS"])

    def info(metric, ours, ref_key=None):
        ref = med(ref_key) if ref_key else None
        rows.append([metric, benchlib.fmt_ms(ours), benchlib.fmt_ms(ref) if ref else "-",
                     "%.2fx" % (ours / ref) if ref else "-", "info", "-"])

    row("install git+file:// (cold cache)", med("git"), "clone", GIT_FACTOR, "git clone")
    row("install .tar.gz", med("tar"), "untar", TAR_FACTOR, "tar xzf")
    info("  generate step alone", med("gen"))
    info("  git install minus generate", med_minus("git"), "clone")
    info("  archive install minus generate", med_minus("tar"), "untar")

    print()
    print("packs benchmark: wall-clock medians of %d run(s); references: `git clone -q --depth 1 file://...`, "
          "`tar xzf`" % env.runs)
    print("pack: %d files (%d entities), %.1f MB (make-pack-tree.py %s); bare repo %.1f MB packed (commit %s); "
          "archive %.1f MB" % (fixture.files, fixture.entities, fixture.bytes / 1e6, " ".join(argv) or "defaults",
                               fixture.git_bytes / 1e6, fixture.commit[:12], os.path.getsize(fixture.archive) / 1e6))
    print("both installs include the generate that install runs afterwards (3 targets, %d files written; "
          "%d files outside .agentsmesh/ after install)" % (outputs[1], outputs[0]))
    print()
    benchlib.table(["metric", "ours (ms)", "reference (ms)", "ratio", "target", "status"], rows)
    print()
    names = (("git", "git install"), ("clone", "git clone"), ("tar", "archive install"), ("untar", "tar xzf"),
             ("gen", "generate alone"))
    return benchlib.sample_footer(metrics, names, missed, env.strict)


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except benchlib.CommandFailed as failure:
        print("bench packs: FAILED\n%s" % failure, file=sys.stderr)
        sys.exit(1)
