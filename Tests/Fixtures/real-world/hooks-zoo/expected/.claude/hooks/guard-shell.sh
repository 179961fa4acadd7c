#!/usr/bin/env bash
# Block shell commands we never want an agent to run.
# Input: hook JSON on stdin. Claude and Gemini put the command in
# .tool_input.command; Cursor sends it as .command.
set -euo pipefail

payload="$(cat)"
cmd="$(printf '%s' "$payload" | jq -r '.tool_input.command // .command // ""')"

deny() {
  echo "blocked by guard-shell: $1" >&2
  exit 2
}

case "$cmd" in
  *"cargo publish"*)        deny "publishing is done by CI from a tag" ;;
  *"git push --force"*|*"git push -f"*) deny "no force pushes" ;;
  *"rm -rf /"*)             deny "refusing to delete from the root" ;;
esac
exit 0
