#!/usr/bin/env bash
# Regenerates the demo: recordings/call1..4.mp3 (synthetic stand-ins for the four calls, spoken
# by espeak-ng), redactions/call1..4.yaml (manifests with the exact times of the words to
# redact) and transcripts/call1..4.* (their word-timed transcripts). The dialogue is in scripts/demo-script/callN.txt. Deterministic: running it twice
# gives byte-identical files. Works from any directory.
#
# Needs espeak-ng and sox (only this script does; the redaction tool itself never synthesises),
# node, and the npm ffmpeg (`npm ci`), or FFMPEG_PATH pointing at an ffmpeg with libmp3lame.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

missing=()
for tool in espeak-ng sox node; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if ((${#missing[@]})); then
  echo "make-demo: missing: ${missing[*]}" >&2
  if [[ " ${missing[*]} " == *" espeak-ng "* || " ${missing[*]} " == *" sox "* ]]; then
    echo "make-demo: install them with: apt-get install espeak-ng sox" >&2
  fi
  exit 1
fi

FFMPEG_PATH="${FFMPEG_PATH:-$ROOT/node_modules/@ffmpeg-installer/linux-x64/ffmpeg}"
if [[ ! -x "$FFMPEG_PATH" ]]; then
  echo "make-demo: no ffmpeg at $FFMPEG_PATH: run 'npm ci' in $ROOT, or set FFMPEG_PATH" >&2
  exit 1
fi
export FFMPEG_PATH

exec node "$ROOT/scripts/make-demo.mjs" "$@"
