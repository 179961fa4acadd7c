#!/usr/bin/env python3
"""Drives `agentsmesh mcp` with the official Python `mcp` client (an implementation we did not write):
initialise, list tools and resources, call tools including a mutation followed by `check`, read a resource.
Exits 1 with a message on the first unexpected answer. Usage: mcp-client-check.py AGENTSMESH_BINARY"""

import asyncio
import json
import os
import shutil
import sys
import tempfile

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client


def expect(condition, what):
    if not condition:
        sys.exit("mcp-client-check: " + what)


async def main(binary):
    project = tempfile.mkdtemp(prefix="am-mcp-client-")
    try:
        os.makedirs(os.path.join(project, ".agentsmesh", "rules"))
        with open(os.path.join(project, "agentsmesh.yaml"), "w") as f:
            f.write("version: 1\ntargets: [claude-code, gemini-cli]\nfeatures: [rules]\ngeneration_contract: false\n")
        with open(os.path.join(project, ".agentsmesh", "rules", "_root.md"), "w") as f:
            f.write("---\nroot: true\n---\n# Project\n\nUse tabs.\n")
        params = StdioServerParameters(command=binary, args=["mcp"], cwd=project)
        async with stdio_client(params) as (read, write):
            async with ClientSession(read, write) as session:
                init = await session.initialize()
                expect(init.server_info.name == "agentsmesh", "server name %r" % init.server_info.name)
                tools = {tool.name: tool for tool in (await session.list_tools()).tools}
                expect("generate" in tools and "lessons_query" in tools, "tools listed: %s" % sorted(tools))
                expect(tools["check"].annotations.read_only_hint is True, "check is not read-only")
                expect(tools["generate"].input_schema.get("additionalProperties") is False, "generate schema is not strict")

                plan = await session.call_tool("generate", {"dry_run": True})
                expect(not plan.is_error, "generate dry run failed: %s" % plan.content[0].text)
                expect(plan.structured_content["counts"]["create"] == 3, "dry-run counts %r" % plan.structured_content["counts"])
                expect(not os.path.exists(os.path.join(project, "CLAUDE.md")), "the dry run wrote CLAUDE.md")

                done = await session.call_tool("generate", {})
                expect(not done.is_error and done.structured_content["lockfileUpdated"] is True, "generate: %s" % done.content[0].text)
                check = await session.call_tool("check", {})
                expect(check.structured_content["inSync"] is True, "check after generate: %s" % check.content[0].text)

                bad = await session.call_tool("lint", {"severity": "loud"})
                expect(bad.is_error and json.loads(bad.content[0].text)["code"] == "VALIDATION_FAILED", "bad enum accepted")

                resources = await session.list_resource_templates()
                expect(any(t.uri_template == "agentsmesh://capabilities/{targetId}" for t in resources.resource_templates),
                       "templates: %r" % [t.uri_template for t in resources.resource_templates])
                # 20 calls sent at once run one at a time in arrival order: every server persists (spec C8).
                calls = [session.call_tool("add_mcp_server", {"name": "s%02d" % i, "server": {"command": "x"}}) for i in range(20)]
                results = await asyncio.gather(*calls)
                expect(all(not r.is_error for r in results), "a concurrent add failed")
                listed = (await session.call_tool("list_mcp_servers", {})).structured_content["mcpServers"]
                expect(sorted(listed) == ["s%02d" % i for i in range(20)], "servers after 20 concurrent adds: %s" % sorted(listed))

                cursor = await session.read_resource("agentsmesh://capabilities/cursor")
                expect(json.loads(cursor.contents[0].text)["id"] == "cursor", "capabilities resource")
        print("mcp-client-check: ok (official mcp client against agentsmesh mcp)")
    finally:
        shutil.rmtree(project, ignore_errors=True)


if __name__ == "__main__":
    asyncio.run(main(os.path.abspath(sys.argv[1])))
