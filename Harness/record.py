#!/usr/bin/env python3
"""Records a transcript: drives a server through a scenario with the server's own record mode on
(AGENTSMESH_MCP_RECORD), and writes the transcript the replayer checks (see Harness/README.md).

usage: Harness/record.py SERVER_BINARY FIXTURE SCENARIO.jsonl OUT.jsonl

SCENARIO lines: {"send": request-or-notification}, {"send_raw": "text"}, {"write": {"path", "text"}},
{"remove": "path"}, {"comment": "..."}. Requests get their responses recorded as expectations, volatile values
already replaced by placeholders; review the result, then commit it."""

import json
import os
import re
import select
import shutil
import subprocess
import sys
import tempfile
import time

HARNESS = os.path.dirname(os.path.abspath(__file__))


def main(binary, fixture, scenario, out):
    project = tempfile.mkdtemp(prefix="harness-record-")
    source = os.path.join(HARNESS, "fixtures", fixture)
    if os.path.isdir(source):
        shutil.rmtree(project)
        shutil.copytree(source, project, symlinks=True)
    record = os.path.join(tempfile.mkdtemp(prefix="harness-rec-"), "record.jsonl")
    meshes = os.path.basename(binary) == "meshes"
    if meshes:
        # The meshes server records generated ids as {{capture:idN}} in order of first appearance in responses;
        # scenarios refer to them as {{idN}} in later sends. Delivery stays off so statuses do not race.
        env = dict(os.environ, MESHES_MCP_RECORD=record, MESHES_DELIVERY="off")
        for name in ("MESHES_ACCESS_KEY", "MESHES_SECRET_KEY", "MESHES_ORG_ID", "MESHES_ORGANIZATION_ID", "MESHES_DB"):
            env.pop(name, None)
    else:
        env = dict(os.environ, AGENTSMESH_MCP_RECORD=record)
    ids = {}

    def learn(value):
        if isinstance(value, str):
            for pattern in (r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", r"ses_[A-Za-z0-9]{22}"):
                for found in re.findall(pattern, value):
                    if found not in ids.values():
                        ids["id%d" % (len(ids) + 1)] = found
        elif isinstance(value, list):
            for item in value:
                learn(item)
        elif isinstance(value, dict):
            for item in value.values():
                learn(item)

    def resolve(value):
        text = json.dumps(value)
        for name, found in ids.items():
            text = text.replace("{{%s}}" % name, found)
        return json.loads(text)
    server = subprocess.Popen([os.path.abspath(binary), "mcp"], cwd=project, env=env, stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    lines = [json.dumps({"fixture": fixture})]
    seen = 0
    buffered = b""

    def recorded(wait_for):
        nonlocal seen
        deadline = time.time() + 5
        while True:
            with open(record) as f:
                all_lines = f.read().splitlines()
            if len(all_lines) >= seen + wait_for or time.time() > deadline:
                new = all_lines[seen:]
                seen = len(all_lines)
                return new
            time.sleep(0.02)

    def read_response(request_id):
        nonlocal buffered
        deadline = time.time() + 60
        while time.time() < deadline:
            while b"\n" in buffered:
                line, buffered = buffered.split(b"\n", 1)
                value = json.loads(line)
                if "method" in value:
                    continue
                if request_id is None or value.get("id") == request_id:
                    if meshes:
                        learn(value)
                    return value
            ready, _, _ = select.select([server.stdout], [], [], 1)
            if ready:
                chunk = os.read(server.stdout.fileno(), 65536)
                if not chunk:
                    break
                buffered += chunk
        sys.exit("record: no response to %r" % request_id)

    for raw in open(scenario):
        raw = raw.strip()
        if not raw:
            continue
        step = json.loads(raw)
        if "comment" in step:
            lines.append(json.dumps(step))
        elif "write" in step:
            path = os.path.join(project, step["write"]["path"])
            os.makedirs(os.path.dirname(path), exist_ok=True)
            text = step["write"]["text"].replace("{{now}}", time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime()))
            text = text.replace("{{hostname}}", os.uname().nodename)
            with open(path, "w") as f:
                f.write(text)
            lines.append(json.dumps(step))
        elif "remove" in step:
            target = os.path.join(project, step["remove"])
            shutil.rmtree(target, ignore_errors=True) if os.path.isdir(target) else (os.path.exists(target) and os.remove(target))
            lines.append(json.dumps(step))
        elif "send_raw" in step:
            server.stdin.write((step["send_raw"] + "\n").encode())
            server.stdin.flush()
            response = read_response(None)
            if isinstance(response.get("id"), str):
                response["id"] = "{{*}}"
            lines.append(json.dumps({"send_raw": step["send_raw"], "expect": response}))
        else:
            request = resolve(step["send"])
            server.stdin.write((json.dumps(request) + "\n").encode())
            server.stdin.flush()
            if "id" in request:
                read_response(request["id"])
            lines.extend(recorded(1))
    server.stdin.close()
    server.wait(timeout=10)
    lines.extend(recorded(0))
    with open(out, "w") as f:
        f.write("\n".join(lines) + "\n")
    shutil.rmtree(project, ignore_errors=True)
    print("recorded %d lines into %s" % (len(lines), out))


if __name__ == "__main__":
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    main(*sys.argv[1:])
