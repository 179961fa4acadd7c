#!/usr/bin/env bash
# Run rustfmt on the file that was just edited. Never fails the tool call.
payload="$(cat)"
file="$(printf '%s' "$payload" | jq -r '.tool_input.file_path // .tool_input.path // .file_path // ""')"

if [[ "$file" == *.rs && -f "$file" ]]; then
  rustfmt --edition 2021 "$file" 2>/dev/null || true
fi
exit 0
