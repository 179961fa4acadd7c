#!/usr/bin/env python3
"""Writes a synthetic agentsmesh project with a large lessons graph (deterministic, stdlib only).

usage: make-lessons-graph.py DEST [--lessons N]

Lessons are spread over 250 topics; each has 1-3 triggers drawn from file globs (exact paths, `*.ext`,
`dir/**`), command patterns and keywords, with realistic sharing (fan-out) between lessons."""

import hashlib
import json
import os
import random
import sys

WORDS = ("cache schema migration deploy rollback retry timeout webhook signature token session cookie "
         "billing invoice ledger audit queue worker cron index shard replica backup restore feature flag "
         "experiment metric trace log alert pager oncall release branch rebase lint format bundle chunk "
         "asset image font locale translation currency timezone payment refund dispute coupon tax").split()
EXTS = ["ts", "tsx", "py", "go", "rs", "sql", "yaml", "json", "md", "swift"]
COMMANDS = ["^npm (run )?test", "^npm run build", "^pnpm i", "^make( |$)", "^cargo (build|test)", "^go test",
            "^docker compose up", "^terraform (plan|apply)", "^kubectl apply", "^git push", "^pytest",
            "^swift (build|test)", "^psql ", "^redis-cli", "^gradle build", "^yarn lint", "^bundle exec rspec"]


def trigger_id(kind, pattern):
    prefix = {"file_glob": "t-glob-", "command_pattern": "t-cmd-", "keyword": "t-kw-"}[kind]
    return prefix + hashlib.sha256(("%s\n%s" % (kind, pattern)).encode()).hexdigest()[:8]


def main(argv):
    if not argv or argv[0].startswith("-"):
        sys.exit(__doc__)
    dest = argv[0]
    count = int(argv[argv.index("--lessons") + 1]) if "--lessons" in argv else 5000
    rng = random.Random(42)
    lessons, topics, triggers = {}, {}, {}
    topic_ids = ["topic-%03d" % i for i in range(250)]
    for topic in topic_ids:
        topics[topic] = {"summary": "Lessons about %s" % " ".join(rng.sample(WORDS, 2))}

    def add_trigger(kind, pattern):
        tid = trigger_id(kind, pattern)
        triggers[tid] = {"kind": kind, "pattern": pattern}
        return tid

    for n in range(count):
        topic = topic_ids[n % len(topic_ids)]
        words = rng.sample(WORDS, 6)
        rule = "Before touching %s, check the %s %s and run the %s suite (%d)." % (
            words[0], words[1], words[2], words[3], n)
        ids = []
        for _ in range(rng.randint(1, 3)):
            roll = rng.random()
            module = rng.randint(0, 199)
            if roll < 0.35:
                ids.append(add_trigger("file_glob", "src/module%d/file%d.%s" % (module, rng.randint(0, 9), rng.choice(EXTS))))
            elif roll < 0.5:
                ids.append(add_trigger("file_glob", "src/module%d/**" % module))
            elif roll < 0.6:
                ids.append(add_trigger("file_glob", "*.%s" % rng.choice(EXTS)))
            elif roll < 0.75:
                ids.append(add_trigger("command_pattern", rng.choice(COMMANDS)))
            else:
                ids.append(add_trigger("keyword", rng.choice(WORDS)))
        lessons["%s-lesson-%05d" % (topic, n)] = {
            "createdAt": "2026-%02d-%02d" % (rng.randint(1, 12), rng.randint(1, 28)),
            "evidence": ["PR #%d" % rng.randint(1, 9999)],
            "rule": rule,
            "status": "active" if rng.random() > 0.05 else "deprecated",
            "topics": [topic],
            "triggers": sorted(set(ids)),
        }
    graph = {"lessons": lessons, "topics": topics, "triggers": triggers, "version": 2}
    folder = os.path.join(dest, ".agentsmesh", "lessons")
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "lessons.json"), "w") as f:
        f.write(json.dumps(graph, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
    with open(os.path.join(dest, "agentsmesh.yaml"), "w") as f:
        f.write("version: 1\ntargets: [claude-code]\n")
    print("%d lessons, %d topics, %d triggers" % (len(lessons), len(topics), len(triggers)), file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1:])
