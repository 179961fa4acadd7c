#!/usr/bin/env python3
"""Writes a large, deterministic, synthetic agentsmesh pack (canonical layout) into a folder (for benchmarks).

Usage: make-pack-tree.py DEST [--files N] [--seed S]

The pack is a folder holding only `.agentsmesh/` in canonical layout, which PackClassifier recognises as a
`canonical-agentsmesh` source: rules (a fifth of them in area sub-folders), commands (some namespaced),
agents, and skills (SKILL.md + `references/checklist.md` + binary `assets/icon.bin` each). There are no
settings files (mcp.json, hooks.yaml, permissions.yaml, ignore) and no `_root.md`/templates, so every file
is installed whatever the source's trust level: installing the pack copies exactly N files.

The default N = 2,000 splits into 1,000 rules, 300 commands, 100 agents and 200 skills x 3 files; other
values of N keep those proportions (N must be >= 20). The file contents come from make-canonical-tree.py
(same generators, same formats). Output depends only on the arguments (fixed PRNG seed), so two runs
produce byte-identical trees. Prints the file count and the entity count (rules + commands + agents +
skills) as `files=N entities=M`. Standard library only.
"""

import argparse
import importlib.util
import os
import random
import sys


def canonical_tree_module():
    here = os.path.dirname(os.path.abspath(__file__))
    spec = importlib.util.spec_from_file_location("make_canonical_tree", os.path.join(here, "make-canonical-tree.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def split(n_files):
    """(rules, commands, agents, skills) summing to exactly n_files files (a skill is 3 files)."""
    skills = max(1, n_files * 200 // 2000)
    agents = max(1, n_files * 100 // 2000)
    commands = max(1, n_files * 300 // 2000)
    rules = n_files - 3 * skills - agents - commands
    if rules < 1:
        sys.exit("make-pack-tree: --files must be >= 20")
    return rules, commands, agents, skills


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dest")
    ap.add_argument("--files", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=20260517)
    args = ap.parse_args(argv)

    mct = canonical_tree_module()
    n_rules, n_commands, n_agents, n_skills = split(args.files)
    rng = random.Random(args.seed)
    tree = mct.Tree(rng, n_rules, n_commands, n_agents, n_skills)
    mesh = os.path.join(args.dest, ".agentsmesh")
    if os.path.exists(mesh):
        sys.exit("make-pack-tree: %s already exists" % mesh)

    written = 0
    for i, rel in enumerate(tree.rules, 1):
        mct.write(os.path.join(mesh, "rules", rel + ".md"), mct.rule_file(rng, tree, i, rel))
        written += 1
    for i, rel in enumerate(tree.commands, 1):
        mct.write(os.path.join(mesh, "commands", rel + ".md"), mct.command_file(rng, tree, i, rel))
        written += 1
    for i, name in enumerate(tree.agents, 1):
        mct.write(os.path.join(mesh, "agents", name + ".md"), mct.agent_file(rng, tree, i, name))
        written += 1
    for i, name in enumerate(tree.skills, 1):
        for rel, data in mct.skill_files(rng, tree, i, name).items():
            mct.write(os.path.join(mesh, "skills", name, rel), data)
            written += 1
    if written != args.files:
        sys.exit("make-pack-tree: wrote %d files, expected %d" % (written, args.files))
    print("files=%d entities=%d" % (written, n_rules + n_commands + n_agents + n_skills))


if __name__ == "__main__":
    main(sys.argv[1:])
