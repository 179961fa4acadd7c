#!/usr/bin/env python3
# summary: 1,000 MCP tools/call get_rule round trips vs the same client against a trivial Python MCP server
"""Times MCP round trips from the official Python `mcp` client (stdio):
  - ours: `agentsmesh mcp` in a small project, `tools/call get_rule {"name": "style"}` (load the canonical
    tree, find the rule, answer);
  - reference, same run and same client: a trivial stdio MCP server written with the Python SDK whose one tool
    returns a constant (`echo`).
Reports the median and p99 of each and the ratio of medians. Target: ours <= 1.5x the reference (median)."""

import asyncio
import os
import statistics
import sys
import tempfile
import time

import benchlib

# This file is named mcp.py: keep its own folder off the path so `mcp` is the official package.
_here = os.path.dirname(os.path.abspath(__file__))
sys.path = [entry for entry in sys.path if os.path.abspath(entry or ".") != _here]
from mcp import ClientSession, StdioServerParameters  # noqa: E402
from mcp.client.stdio import stdio_client  # noqa: E402

TARGET = 1.5
CALLS = 1000

ECHO_SERVER = """
from mcp.server.mcpserver import MCPServer
app = MCPServer("echo")

@app.tool()
def echo(name: str) -> dict:
    return {"name": name, "path": ".agentsmesh/rules/" + name + ".md", "frontmatter": {}, "body": "Use tabs.\\n"}

app.run()
"""


async def round_trips(params, tool, arguments, calls):
    async with stdio_client(params) as (read, write):
        async with ClientSession(read, write) as session:
            await session.initialize()
            for _ in range(20):
                await session.call_tool(tool, arguments)
            samples = []
            for _ in range(calls):
                start = time.perf_counter()
                result = await session.call_tool(tool, arguments)
                samples.append((time.perf_counter() - start) * 1000.0)
                if result.is_error:
                    sys.exit("benchmark: %s failed: %s" % (tool, result.content[0].text))
            return samples


def p99(samples):
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def main(argv):
    env = benchlib.Env()
    project = tempfile.mkdtemp(prefix="mcp-bench-", dir=env.tmp)
    os.makedirs(os.path.join(project, ".agentsmesh", "rules"))
    with open(os.path.join(project, "agentsmesh.yaml"), "w") as f:
        f.write("version: 1\ntargets: [claude-code]\nfeatures: [rules]\n")
    with open(os.path.join(project, ".agentsmesh", "rules", "_root.md"), "w") as f:
        f.write("---\nroot: true\n---\n# Root\n")
    with open(os.path.join(project, ".agentsmesh", "rules", "style.md"), "w") as f:
        f.write("---\ndescription: Style\n---\nUse tabs.\n")
    echo = os.path.join(env.tmp, "echo_server.py")
    with open(echo, "w") as f:
        f.write(ECHO_SERVER)
    ours_params = StdioServerParameters(command=env.binary, args=["mcp"], cwd=project)
    ref_params = StdioServerParameters(command=sys.executable, args=[echo], cwd=project)
    ours = asyncio.run(round_trips(ours_params, "get_rule", {"name": "style"}, CALLS))
    ref = asyncio.run(round_trips(ref_params, "echo", {"name": "style"}, CALLS))
    ours_median, ref_median = statistics.median(ours), statistics.median(ref)
    ratio = ours_median / ref_median
    ok = ratio <= TARGET
    print("mcp benchmark: %d tools/call round trips each, official Python mcp client over stdio" % CALLS)
    benchlib.table(
        ["server", "median ms", "p99 ms", "ratio", "target"],
        [
            ["agentsmesh mcp get_rule", benchlib.fmt_ms(ours_median), benchlib.fmt_ms(p99(ours)), "%.2fx" % ratio,
             "<= %.1fx %s" % (TARGET, "ok" if ok else "MISS")],
            ["Python SDK echo server (reference)", benchlib.fmt_ms(ref_median), benchlib.fmt_ms(p99(ref)), "1.00x", ""],
        ])
    if not ok:
        print("missed targets: get_rule round trip")
        return 1 if env.strict else 0
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
