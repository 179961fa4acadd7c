#!/usr/bin/env bash
# Bump the version of every workspace package in lockstep.
# Usage: bump.sh <major|minor|patch>
set -euo pipefail

level="${1:-}"
case "$level" in
  major|minor|patch) ;;
  *) echo "usage: $0 <major|minor|patch>" >&2; exit 2 ;;
esac

root="$(git rev-parse --show-toplevel)"
cd "$root"

# npm updates the root and every workspace, without creating a git tag
npm version "$level" --workspaces --include-workspace-root --no-git-tag-version >/dev/null

node -p "require('./package.json').version"
