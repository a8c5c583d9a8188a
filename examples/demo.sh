#!/bin/sh
# intro's main job on the examples, end to end, with no mail server: every
# message lands as an .eml file in a throwaway data dir's outbox.
#
#   ./examples/demo.sh
set -eu
here=$(cd "$(dirname "$0")" && pwd)
cargo build --quiet --manifest-path "$here/../Cargo.toml"
intro="$here/../target/debug/intro"
export INTRO_CONFIG="$here/config.toml"
export INTRO_DATA_DIR="${INTRO_DATA_DIR:-$(mktemp -d)}"
export INTRO_NOW="${INTRO_NOW:-2026-03-01T09:00:00Z}"

echo "== ask three contacts, from a CSV batch"
"$intro" ask --batch "$here/asks.csv" --yes
echo
echo "== the requests"
"$intro" status
echo
echo "== ada said yes: approve her request (named by her handle), draft the introduction, send it"
"$intro" approve ada --note "said yes on the phone"
"$intro" introduce ada
"$intro" introduce ada --send --yes
echo
echo "== six days later, follow-ups are due for the other two"
INTRO_NOW=2026-03-07T09:00:00Z "$intro" status --due
INTRO_NOW=2026-03-07T09:00:00Z "$intro" followup --due --yes
echo
echo "== every message sent is in $INTRO_DATA_DIR/outbox:"
ls "$INTRO_DATA_DIR/outbox"
