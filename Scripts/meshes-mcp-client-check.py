#!/usr/bin/env python3
"""Drives `meshes mcp` with the official Python `mcp` client (an implementation we did not write), in both
modes: embedded (a fresh local store) and remote (the same binary's `meshes serve` on loopback, reached with a
machine key). Lists the 33 tools, runs one scenario in each mode and checks that both answer the same text once
generated ids and times are normalised; checks that incomplete credentials exit 1 with the missing names.
Exits 1 with a message on the first unexpected answer. Usage: meshes-mcp-client-check.py MESHES_BINARY"""

import asyncio
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

CREDENTIALS = ("MESHES_ACCESS_KEY", "MESHES_SECRET_KEY", "MESHES_ORG_ID", "MESHES_ORGANIZATION_ID")


def expect(condition, what):
    if not condition:
        sys.exit("meshes-mcp-client-check: " + what)


def normalised(text):
    """Ids numbered by first appearance, times and tokens reduced to their kind, the creator to its role."""
    names = {}

    def name(match):
        return names.setdefault(match.group(0), "<id%d>" % (len(names) + 1))

    text = re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", name, text)
    text = re.sub(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z", "<time>", text)
    return re.sub(r'"created_by": "[^"]*"', '"created_by": <actor>', text)


async def scenario(binary, folder, env):
    texts = []
    params = StdioServerParameters(command=binary, args=["mcp"], cwd=folder, env=env)
    async with stdio_client(params) as (read, write):
        async with ClientSession(read, write) as session:
            init = await session.initialize()
            expect(init.server_info.name == "meshes", "server name %r" % init.server_info.name)
            tools = {tool.name: tool for tool in (await session.list_tools()).tools}
            expect(len(tools) == 33, "%d tools listed" % len(tools))
            expect(tools["meshes_delete_rule"].annotations.destructive_hint is True, "delete_rule is not destructive")
            expect(tools["meshes_list_events"].input_schema["properties"]["limit"]["default"] == 50, "list_events limit default")

            async def call(name, arguments):
                result = await session.call_tool(name, arguments)
                text = result.content[0].text
                texts.append(("error " if result.is_error else "") + normalised(text))
                return result, text

            _, text = await call("meshes_create_workspace", {"name": "Client check"})
            workspace = json.loads(text)["workspace"]["id"]
            _, text = await call("meshes_create_connection", {
                "workspace": workspace, "type": "webhook", "name": "hook", "metadata": {"url": "https://hooks.example.com/x"}})
            connection = json.loads(text)["connection"]["id"]
            _, text = await call("meshes_create_rule", {
                "workspace": workspace, "connection": connection, "event": "user.signup", "action": "send_webhook"})
            rule = json.loads(text)["rule"]["id"]
            emitted, text = await call("meshes_emit_event", {
                "workspace": workspace, "event": "user.signup", "payload": {"email": "ada@example.com"}})
            expect(not emitted.is_error and text.startswith("Event emitted successfully. ID: "), "emit: %s" % text)
            event = text.split("ID: ")[1].split("\n")[0]
            await call("meshes_get_event_payload", {"event_id": event})
            await call("meshes_emit_bulk_events", {"events": [
                {"workspace": workspace, "event": "user.signup", "payload": {"email": "bob@example.com"}},
                {"workspace": workspace, "event": "user.signup", "payload": {"email": ""}}]})
            missing, text = await call("meshes_get_rule", {"rule_id": "00000000-0000-4000-8000-000000000000"})
            expect(missing.is_error and text.startswith("Meshes API 404: {"), "missing rule: %s" % text)
            bad, text = await call("meshes_get_rule", {"rule_id": "nope"})
            expect(bad.is_error and text == "Invalid arguments for meshes_get_rule: rule_id: must be a UUID", "bad id: %s" % text)
            await call("meshes_delete_rule", {"rule_id": rule})
    return texts


def clean_env(extra):
    env = {k: v for k, v in os.environ.items() if k not in CREDENTIALS and k != "MESHES_DB"}
    env.update(extra)
    return env


async def main(binary):
    root = tempfile.mkdtemp(prefix="meshes-mcp-client-")
    server = None
    try:
        embedded_folder = os.path.join(root, "embedded")
        remote_folder = os.path.join(root, "remote")
        os.makedirs(embedded_folder)
        os.makedirs(remote_folder)
        embedded = await scenario(binary, embedded_folder, clean_env({"MESHES_DELIVERY": "off"}))

        keys = json.loads(subprocess.run([binary, "keys", "create", "--json"], cwd=remote_folder, env=clean_env({}),
                                         check=True, capture_output=True, text=True).stdout)
        server = subprocess.Popen([binary, "serve", "--port", "0", "--no-delivery"], cwd=remote_folder, env=clean_env({}),
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        banner = server.stderr.readline()
        port = re.search(r":(\d+)\s*$", banner)
        expect(port is not None, "no listening banner from meshes serve: %r" % banner)
        remote_env = clean_env({
            "MESHES_ACCESS_KEY": keys["access_key"], "MESHES_SECRET_KEY": keys["secret_key"], "MESHES_ORG_ID": keys["org_id"],
            "MESHES_API_URL": "http://127.0.0.1:%s/" % port.group(1)})
        client_folder = os.path.join(root, "client")
        os.makedirs(client_folder)
        remote = await scenario(binary, client_folder, remote_env)
        expect(not os.path.exists(os.path.join(client_folder, ".meshes")), "remote mode opened a local store")
        for index, (left, right) in enumerate(zip(embedded, remote)):
            expect(left == right, "call %d differs between modes:\nembedded: %s\nremote:   %s" % (index, left, right))
        expect(len(embedded) == len(remote), "different call counts")

        partial = subprocess.run([binary, "mcp"], cwd=client_folder, env=clean_env({"MESHES_ACCESS_KEY": keys["access_key"]}),
                                 capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=30)
        expect(partial.returncode == 1, "incomplete credentials exit %d" % partial.returncode)
        expect("missing: MESHES_SECRET_KEY, MESHES_ORG_ID" in partial.stderr and '"mcpServers"' in partial.stderr,
               "incomplete credentials stderr: %r" % partial.stderr)
        expect(partial.stdout == "", "stdout must carry only MCP frames, got %r" % partial.stdout)
        malformed = dict(remote_env, MESHES_SECRET_KEY="short")
        refused = subprocess.run([binary, "mcp"], cwd=client_folder, env=malformed, capture_output=True, text=True,
                                 stdin=subprocess.DEVNULL, timeout=30)
        expect(refused.returncode == 1 and refused.stderr.startswith("Failed to initialize Meshes API client: "),
               "malformed credentials: %d %r" % (refused.returncode, refused.stderr))
        print("meshes-mcp-client-check: ok (%d calls in each mode, identical after normalisation)" % len(embedded))
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    asyncio.run(main(os.path.abspath(sys.argv[1])))
