#!/usr/bin/env bash
# Append one line per hook event to .agent-audit.log (gitignored).
# Usage: audit.sh <label>   (payload JSON on stdin)
label="${1:-event}"
log="${CLAUDE_PROJECT_DIR:-${GEMINI_PROJECT_DIR:-.}}/.agent-audit.log"

{
  printf '%s\t%s\t' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$label"
  jq -c '{tool: (.tool_name // null), event: (.hook_event_name // null)}' 2>/dev/null || echo '{}'
} >> "$log"
exit 0
