#!/usr/bin/env bash
# Many calls: `redact --all` with its default concurrency against the same run one call at a time
# (`--jobs 1`, one process) and against `npm run redact <call>` for each call in turn (a process per
# call, as a user without --all would run them), on COPIES copies of the demo calls (recordings/ and
# redactions/call*.yaml copied under new names into a scratch project), then a run with nothing
# changed (every call skipped).
# redactions/site.yaml comes along, as in the demo. Not a test: it prints wall times and their ratio.
# Rounds alternate which of the two goes first. EXTRA is added to every run (e.g. "--formats mp3").
#
#   bash scripts/bench-batch.sh [COPIES=20] [ROUNDS=1] [EXTRA]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
COPIES=${1:-20}
ROUNDS=${2:-1}
read -r -a EXTRA <<<"${3:-}"
DIR=$(mktemp -d "${TMPDIR:-/tmp}/bench-batch.XXXXXX")
trap 'rm -rf "$DIR"' EXIT
mkdir -p "$DIR/recordings" "$DIR/redactions" "$DIR/out"
for k in $(seq 1 "$COPIES"); do
  for manifest in "$ROOT"/redactions/call*.yaml; do
    call=$(basename "$manifest" .yaml)
    cp "$ROOT/recordings/$call.mp3" "$DIR/recordings/${call}_$k.mp3"
    sed "s/^recording: $call\.mp3/recording: ${call}_$k.mp3/" "$manifest" >"$DIR/redactions/${call}_$k.yaml"
  done
done
calls=$(ls "$DIR"/redactions/call*.yaml | wc -l)
if [[ -f "$ROOT/redactions/site.yaml" ]]; then cp "$ROOT/redactions/site.yaml" "$DIR/redactions/"; fi
# `npm run redact` in the scratch project runs package.json's redact script (node's flags and all) with
# this repository's launcher.
SCRIPT=$(node -p 'require(process.argv[1]).scripts.redact' "$ROOT/package.json")
SCRIPT=${SCRIPT/scripts\/run.mjs/$ROOT/scripts/run.mjs}
printf '{ "private": true, "type": "module", "scripts": { "redact": "%s" } }\n' "$SCRIPT" >"$DIR/package.json"

# As `npm run redact` runs it, from the scratch project (without npm's own process).
redact() {
  # shellcheck disable=SC2086 # the script's words: node, its flags, the launcher, the entry
  (cd "$DIR" && $SCRIPT "$@" "${EXTRA[@]}" >"$DIR/run.log" 2>&1) ||
    { cat "$DIR/run.log" >&2; exit 1; }
}
pressure() { awk '/^some/ { sub("avg10=", "", $2); print $2 "%" }' /proc/pressure/cpu 2>/dev/null || echo "?"; }
timed() { # prints the wall seconds of `redact "$@"`
  local start end
  start=$(date +%s.%N)
  redact "$@"
  end=$(date +%s.%N)
  echo "$end - $start" | bc
}
each() { # prints the wall seconds of `npm run redact -- <call> --force` for every call in turn
  local start end name
  start=$(date +%s.%N)
  for manifest in "$DIR"/redactions/call*.yaml; do
    name=$(basename "$manifest" .yaml)
    (cd "$DIR" && npm run --silent redact -- "$name" --force "${EXTRA[@]}" >"$DIR/run.log" 2>&1) ||
      { cat "$DIR/run.log" >&2; exit 1; }
  done
  end=$(date +%s.%N)
  echo "$end - $start" | bc
}

echo "$calls calls ($COPIES copies of the demo calls), $(nproc) cores, extra arguments: ${EXTRA[*]:-none}"
for round in $(seq 1 "$ROUNDS"); do
  if ((round % 2)); then
    par=$(timed --all --force)
    seq=$(timed --all --force --jobs 1)
    sep=$(each)
  else
    sep=$(each)
    seq=$(timed --all --force --jobs 1)
    par=$(timed --all --force)
  fi
  printf 'round %d: --all %.1f s; --all --jobs 1 %.1f s (ratio %.2f); npm run redact per call %.1f s (ratio %.2f); CPU pressure now %s\n' \
    "$round" "$par" "$seq" "$(echo "$par / $seq" | bc -l)" "$sep" "$(echo "$par / $sep" | bc -l)" "$(pressure)"
done
again=$(timed --all)
skipped=$(grep -c ': unchanged since its last run' "$DIR/run.log" || true)
printf 'nothing changed: --all %.1f s, %d of %d calls skipped\n' "$again" "$skipped" "$calls"
