#!/bin/sh
# Scripting intro: list the requests with a follow-up due, then nudge them.
# `intro status --due --json` prints a JSON array; jq picks what we need.
set -eu
intro status --due --json | jq -r '.[] | "\(.id)  \(.a) about \(.b), asked \(.asked_at)"'
if [ "$(intro status --due --json | jq length)" -gt 0 ]; then
    intro followup --due --yes
fi
