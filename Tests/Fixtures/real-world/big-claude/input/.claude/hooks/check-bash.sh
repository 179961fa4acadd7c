#!/usr/bin/env bash
# PreToolUse hook for Bash: block commands that would touch production.
# Reads the hook payload as JSON on stdin; exit 2 blocks the call.
set -euo pipefail

cmd="$(jq -r '.tool_input.command // ""')"

case "$cmd" in
  *fernhill-production*|*"fly deploy"*)
    echo "Production commands are not allowed from Claude Code." >&2
    exit 2
    ;;
esac
exit 0
