#!/usr/bin/env bash
# Desktop notification; quiet when PEBBLE_QUIET=1 or no notifier is installed.
[ "${PEBBLE_QUIET:-0}" = "1" ] && exit 0
msg="${1:-Agent is waiting for you}"

if command -v notify-send >/dev/null 2>&1; then
  notify-send "Pebble" "$msg"
elif command -v osascript >/dev/null 2>&1; then
  osascript -e "display notification \"$msg\" with title \"Pebble\""
fi
exit 0
