#!/usr/bin/env bash
# Refuse edits to vendored code and golden files.
set -euo pipefail

path="$(jq -r '.tool_input.file_path // .tool_input.path // ""')"

case "$path" in
  */vendor/*|vendor/*)
    echo "vendor/ is read-only; change the upstream crate instead" >&2
    exit 2 ;;
  */fixtures/golden/*|fixtures/golden/*)
    echo "golden files are regenerated with UPDATE_GOLDEN=1 cargo test" >&2
    exit 2 ;;
esac
exit 0
