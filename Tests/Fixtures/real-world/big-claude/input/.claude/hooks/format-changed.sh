#!/usr/bin/env bash
# PostToolUse hook for Edit|Write: format the file that was just changed.
set -euo pipefail

file="$(jq -r '.tool_input.file_path // ""')"
[ -n "$file" ] || exit 0

case "$file" in
  *.py) uv run ruff format --quiet "$file" ;;
  *.ts|*.tsx|*.css|*.json) npx --prefix frontend prettier --write --log-level=warn "$file" ;;
esac
