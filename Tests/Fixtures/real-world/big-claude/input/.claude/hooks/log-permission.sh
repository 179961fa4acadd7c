#!/usr/bin/env bash
# Append every permission prompt to a local audit log (gitignored).
mkdir -p "$CLAUDE_PROJECT_DIR/.claude/logs"
jq -c '{time: now | todate, tool: .tool_name, input: .tool_input}' \
  >> "$CLAUDE_PROJECT_DIR/.claude/logs/permissions.jsonl"
