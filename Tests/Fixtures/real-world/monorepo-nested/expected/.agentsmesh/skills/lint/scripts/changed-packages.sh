#!/usr/bin/env bash
# Print the workspace folders (services/*, apps/*, packages/*) changed since main.
set -euo pipefail
git diff --name-only "$(git merge-base HEAD origin/main)" HEAD \
  | awk -F/ '/^(services|apps|packages)\// { print $1 "/" $2 }' \
  | sort -u
