#!/usr/bin/env python3
"""Writes a large, deterministic, synthetic agentsmesh project into a folder (for benchmarks).

Usage: make-canonical-tree.py DEST [--rules N] [--commands N] [--agents N] [--skills N] [--seed S]

Defaults give the benchmark tree: 1,000 rules (plus `_root.md` and one template), 200 commands (about a
third namespaced in sub-folders), 100 agents, 50 skills (SKILL.md + one text and one binary supporting
file each), `mcp.json`, `hooks.yaml`, `permissions.yaml` and `ignore`. Formats follow
`Tests/Fixtures/canonical-full`. Output depends only on the arguments (fixed PRNG seed, no clock, no
environment), so two runs produce byte-identical trees. Standard library only.
"""

import argparse
import json
import os
import random
import sys

CONFIG = (
    "version: 1\n"
    "targets: [claude-code, cursor, gemini-cli]\n"
    "features: [rules, commands, agents, skills, mcp, hooks, ignore, permissions]\n"
)

AREAS = ["api", "auth", "billing", "cli", "core", "db", "docs", "infra", "ml", "mobile",
         "search", "storage", "ui", "web", "worker"]
LANGS = [("ts", "TypeScript"), ("tsx", "React"), ("py", "Python"), ("go", "Go"), ("rs", "Rust"),
         ("swift", "Swift"), ("sql", "SQL"), ("css", "CSS"), ("yaml", "YAML"), ("sh", "shell")]
TOPICS = ["error handling", "logging", "naming", "testing", "performance", "security", "accessibility",
          "caching", "retries", "pagination", "validation", "migrations", "feature flags", "i18n",
          "observability", "dependency injection", "concurrency", "configuration", "serialisation",
          "backwards compatibility"]
VERBS = ["Prefer", "Avoid", "Always use", "Never use", "Document", "Test", "Review", "Log", "Validate",
         "Benchmark"]
NOUNS = ["pure functions", "early returns", "typed errors", "structured logs", "small modules",
         "explicit timeouts", "idempotent handlers", "immutable data", "table-driven tests",
         "feature toggles", "dependency pinning", "schema migrations", "retry budgets",
         "circuit breakers", "input sanitising", "bounded queues"]
NAMESPACES = ["git", "db", "ci", "docs", "release", "test"]
NESTED = ["ops/deploy", "ops/oncall"]
TOOLS = ["Read", "Grep", "Glob", "LS", "Edit", "Write", "Bash", "WebFetch", "WebSearch", "TodoWrite"]
MODELS = ["sonnet", "opus", "haiku", "inherit"]
BASH_TOOLS = ["Bash(git diff:*)", "Bash(git status:*)", "Bash(git commit:*)", "Bash(npm test:*)",
              "Bash(npm run lint:*)", "Bash(make:*)", "Bash(psql:*)", "Bash(docker compose:*)"]


def sentence(rng, topic=None):
    """One plausible guideline sentence."""
    topic = topic or rng.choice(TOPICS)
    return "%s %s for %s; it keeps %s predictable." % (
        rng.choice(VERBS), rng.choice(NOUNS), topic, rng.choice(AREAS))


def paragraph(rng, n):
    return " ".join(sentence(rng) for _ in range(n))


class Tree:
    """The names of every canonical entity, known before any body is written (bodies link to them)."""

    def __init__(self, rng, n_rules, n_commands, n_agents, n_skills):
        self.rules = []  # path relative to rules/, without .md
        for i in range(1, n_rules + 1):
            name = "r-%04d" % i
            # a fifth of the rules are organised in sub-folders (names stay basenames)
            self.rules.append(("%s/%s" % (AREAS[i % len(AREAS)], name)) if i % 5 == 0 else name)
        self.commands = []  # path relative to commands/, without .md
        for i in range(1, n_commands + 1):
            name = "c-%03d" % i
            if i % 10 == 0:
                self.commands.append("%s/%s" % (NESTED[(i // 10) % len(NESTED)], name))
            elif i % 3 == 0:
                self.commands.append("%s/%s" % (NAMESPACES[(i // 3) % len(NAMESPACES)], name))
            else:
                self.commands.append(name)
        self.agents = ["a-%03d" % i for i in range(1, n_agents + 1)]
        self.skills = ["s-%02d" % i for i in range(1, n_skills + 1)]
        self.rng = rng

    # References from a file at `.agentsmesh/<from_dir>/…` to other canonical files.
    def project_ref(self, rng):
        kind = rng.randrange(10)
        if kind < 6 and self.rules:
            return ".agentsmesh/rules/%s.md" % rng.choice(self.rules)
        if kind < 8 and self.commands:
            return ".agentsmesh/commands/%s.md" % rng.choice(self.commands)
        if kind < 9 and self.agents:
            return ".agentsmesh/agents/%s.md" % rng.choice(self.agents)
        if self.skills:
            return ".agentsmesh/skills/%s/SKILL.md" % rng.choice(self.skills)
        return ".agentsmesh/rules/_root.md"

    def relative_ref(self, rng, depth):
        """A reference relative to a canonical file `depth` folders below `.agentsmesh/`."""
        target = self.project_ref(rng)[len(".agentsmesh/"):]
        return "../" * depth + target


def markdown_body(rng, tree, title, depth, min_bytes, max_bytes, arguments=False):
    """Markdown of roughly min..max bytes with headings, lists, links, code spans and fences."""
    target = rng.randint(min_bytes, max_bytes)
    parts = ["# %s" % title, paragraph(rng, 2)]
    if arguments:
        parts.append("Work on $ARGUMENTS and report what changed.")
    section = 0
    while sum(len(p) + 2 for p in parts) < target:
        section += 1
        choice = rng.randrange(7)
        if choice == 0:
            parts.append("## %s\n\n%s" % (rng.choice(TOPICS).capitalize(), paragraph(rng, 2)))
        elif choice == 1:
            items = ["- %s" % sentence(rng) for _ in range(rng.randint(2, 5))]
            parts.append("\n".join(items))
        elif choice == 2:
            parts.append("See [%s](%s) before changing this area." % (
                rng.choice(TOPICS), tree.project_ref(rng)))
        elif choice == 3:
            parts.append("Also follow %s, and %s." % (tree.project_ref(rng), tree.relative_ref(rng, depth)))
        elif choice == 4:
            ext, lang = rng.choice(LANGS)
            parts.append("```%s\n// %s example; .agentsmesh/rules/_root.md is not rewritten here\n"
                         "const value = compute(%d)\n```" % (ext, lang, rng.randint(1, 999)))
        elif choice == 5:
            parts.append("Run `make check` and read `.agentsmesh/rules/_root.md` (inline code stays as is); "
                         "docs at https://example.com/%s/%d." % (rng.choice(AREAS), rng.randint(1, 99)))
        else:
            parts.append("> Note: %s" % sentence(rng))
    return "\n\n".join(parts) + "\n"


def yaml_list(key, values):
    return "%s:\n%s" % (key, "".join("  - %s\n" % v for v in values))


def quote_glob(g):
    # a glob starting with `*` or `{` is not a plain YAML scalar: quote it as a user would
    return '"%s"' % g if g[0] in "*{[!" else g


def rule_file(rng, tree, i, rel):
    area = AREAS[i % len(AREAS)]
    ext, lang = LANGS[i % len(LANGS)]
    fm = []
    if i % 17 == 0:
        fm.append('description: "%s: %s conventions for %s"\n' % (lang, rng.choice(TOPICS), area))
    else:
        fm.append("description: %s %s conventions for the %s area\n" % (lang, rng.choice(TOPICS), area))
    globs = ["src/%s/**/*.%s" % (area, ext)]
    if i % 4 == 0:
        globs.append("lib/%s/**/*.%s" % (area, ext))
    if i % 9 == 0:
        globs.append("**/*.%s" % ext)
    if i % 13 == 0:
        globs.append("{apps,packages}/%s/**" % area)
    if i % 50 == 7:
        fm.append("trigger: always_on\n")
    else:
        fm.append(yaml_list("globs", [quote_glob(g) for g in globs]))
    if i % 10 == 3:
        fm.append(yaml_list("targets", ["cursor", "gemini-cli"]))
    elif i % 10 == 6:
        fm.append(yaml_list("targets", ["claude-code"]))
    body = markdown_body(rng, tree, "Rule %s" % rel.split("/")[-1], 1 + rel.count("/"), 300, 2000)
    return "---\n" + "".join(fm) + "---\n" + body


def command_file(rng, tree, i, rel):
    fm = ["description: %s %s for %s\n" % (rng.choice(VERBS), rng.choice(NOUNS), rng.choice(AREAS))]
    tools = ["Read", "Grep"] + rng.sample(BASH_TOOLS, rng.randint(0, 3))
    if i % 4 == 0:  # the comma-string form is accepted too
        fm.append("allowed-tools: %s\n" % ", ".join(tools))
    else:
        fm.append(yaml_list("allowed-tools", tools))
    body = markdown_body(rng, tree, "Command %s" % rel.replace("/", ":"), 1 + rel.count("/"), 300, 1500,
                         arguments=True)
    return "---\n" + "".join(fm) + "---\n" + body


def agent_file(rng, tree, i, name):
    fm = ["name: %s\n" % name,
          "description: Specialist for %s in the %s area\n" % (rng.choice(TOPICS), rng.choice(AREAS)),
          yaml_list("tools", rng.sample(TOOLS, rng.randint(2, 5))),
          "model: %s\n" % MODELS[i % len(MODELS)]]
    body = markdown_body(rng, tree, "Agent %s" % name, 1, 400, 2000)
    return "---\n" + "".join(fm) + "---\n" + body


def skill_files(rng, tree, i, name):
    desc = "Generate %s scaffolding for the %s area" % (rng.choice(TOPICS), rng.choice(AREAS))
    body = markdown_body(rng, tree, "Skill %s" % name, 2, 400, 1800)
    body += "\nUse ./references/checklist.md and the ./assets/icon.bin asset.\n"
    skill_md = "---\ndescription: %s\n---\n%s" % (desc, body)
    checklist = "# Checklist for %s\n\n%s\n" % (name, "\n".join(
        "- [ ] %s" % sentence(rng) for _ in range(rng.randint(4, 10))))
    # binary asset: PNG-like header, NUL bytes and invalid UTF-8, never decoded as text
    blob = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(rng.randrange(256) for _ in range(rng.randint(512, 4096)))
    blob += b"\xff\xfe\x00\xc3\x28"
    return {"SKILL.md": skill_md.encode(), "references/checklist.md": checklist.encode(),
            "assets/icon.bin": blob}


def root_rule(rng, tree):
    body = markdown_body(rng, tree, "Synthetic project", 1, 1500, 2000)
    return "---\nroot: true\n---\n" + body


def mcp_json():
    servers = {}
    for i, area in enumerate(AREAS[:8]):
        if i % 3 == 2:
            servers["%s-remote" % area] = {"type": "http", "url": "https://mcp.example.com/%s" % area,
                                           "headers": {"X-Team": area}}
        else:
            servers["%s-tools" % area] = {"type": "stdio", "command": "npx",
                                          "args": ["-y", "@example/mcp-%s" % area, "--root", "."],
                                          "env": {"LOG_LEVEL": "info"}}
    return json.dumps({"mcpServers": servers}, indent=2) + "\n"


def hooks_yaml():
    return (
        "PreToolUse:\n"
        "  - matcher: Bash\n    type: command\n    command: npx --yes @example/guard-shell\n    timeout: 10\n"
        "  - matcher: Edit|Write\n    type: command\n    command: npx --yes @example/check-paths $FILE\n"
        "PostToolUse:\n"
        "  - matcher: Write\n    type: command\n    command: npx prettier --write $FILE\n    timeout: 30\n"
        "  - matcher: Edit|Write\n    type: command\n    command: npx eslint --fix $FILE\n"
        "UserPromptSubmit:\n"
        "  - type: command\n    command: git status --short\n"
        "SessionStart:\n"
        "  - type: command\n    command: echo session started\n    timeout: 5\n"
    )


def permissions_yaml():
    return (
        "allow:\n" + "".join("  - %s\n" % t for t in ["Read", "Grep", "Glob", "Bash(npm run:*)",
                                                       "Bash(git diff:*)", "Edit(src/**)"]) +
        "deny:\n" + "".join("  - %s\n" % t for t in ["Bash(rm -rf*)", "Read(./.env)", "WebFetch"]) +
        "ask:\n" + "".join("  - %s\n" % t for t in ["Bash(git push:*)"])
    )


def ignore_text():
    return ("# build output\nnode_modules\ndist/\nbuild/\n\n# secrets\n.env\n.env.*\n!.env.example\n"
            "*.pem\n\n# large data\ndata/**/*.parquet\n")


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dest")
    ap.add_argument("--rules", type=int, default=1000)
    ap.add_argument("--commands", type=int, default=200)
    ap.add_argument("--agents", type=int, default=100)
    ap.add_argument("--skills", type=int, default=50)
    ap.add_argument("--seed", type=int, default=20260516)
    args = ap.parse_args(argv)

    rng = random.Random(args.seed)
    tree = Tree(rng, args.rules, args.commands, args.agents, args.skills)
    root = args.dest
    mesh = os.path.join(root, ".agentsmesh")
    if os.path.exists(mesh):
        sys.exit("make-canonical-tree: %s already exists" % mesh)

    write(os.path.join(root, "agentsmesh.yaml"), CONFIG)
    write(os.path.join(mesh, "rules", "_root.md"), root_rule(rng, tree))
    write(os.path.join(mesh, "rules", "_template.md"), "---\ndescription: Template, never projected\n---\n"
          "Copy this file to start a new rule.\n")
    for i, rel in enumerate(tree.rules, 1):
        write(os.path.join(mesh, "rules", rel + ".md"), rule_file(rng, tree, i, rel))
    for i, rel in enumerate(tree.commands, 1):
        write(os.path.join(mesh, "commands", rel + ".md"), command_file(rng, tree, i, rel))
    for i, name in enumerate(tree.agents, 1):
        write(os.path.join(mesh, "agents", name + ".md"), agent_file(rng, tree, i, name))
    for i, name in enumerate(tree.skills, 1):
        for rel, data in skill_files(rng, tree, i, name).items():
            write(os.path.join(mesh, "skills", name, rel), data)
    write(os.path.join(mesh, "mcp.json"), mcp_json())
    write(os.path.join(mesh, "hooks.yaml"), hooks_yaml())
    write(os.path.join(mesh, "permissions.yaml"), permissions_yaml())
    write(os.path.join(mesh, "ignore"), ignore_text())


if __name__ == "__main__":
    main(sys.argv[1:])
