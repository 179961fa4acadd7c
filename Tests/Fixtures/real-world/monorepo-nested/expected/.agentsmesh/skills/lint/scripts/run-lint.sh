#!/usr/bin/env bash
# Lint each folder given on the command line with the right tool, fixing what can be fixed.
set -uo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
status=0

for dir in "$@"; do
  if [ -f "$dir/build.gradle.kts" ]; then
    # kotlin: ktlint via the gradle plugin
    ./gradlew -q ":${dir//\//:}:ktlintFormat" || status=1
  elif [ -f "$dir/package.json" ]; then
    # typescript: shared base config plus the package's own overrides
    npx eslint --fix -c "$here/config/eslint-base.json" "$dir/src" || status=1
  else
    echo "skip $dir (no build file)" >&2
  fi
done
exit $status
