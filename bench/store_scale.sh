#!/usr/bin/env bash
# Store scale: how `intro status` and one `intro ask` (outbox) cost at 10,
# 1,000 and 10,000 stored requests, against `intro --version` (start-up
# alone). Medians of repeated runs; wall clock, so run it on a quiet machine.
#
#   bench/store_scale.sh            # sizes 10 1000 10000, 21 runs each
#   SIZES="10 1000" RUNS=11 bench/store_scale.sh
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cargo build --quiet --release --manifest-path "$here/Cargo.toml"
intro="$here/target/release/intro"
SIZES=${SIZES:-"10 1000 10000"}
RUNS=${RUNS:-21}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Median wall time in milliseconds of RUNS runs of a command.
median_ms() {
    python3 - "$RUNS" "$@" <<'PY'
import os, statistics, subprocess, sys, time
runs = int(sys.argv[1]); cmd = sys.argv[2:]
times = []
for i in range(runs):
    argv = [a.replace("{i}", str(i + int(os.environ.get("OFFSET", "0")))) for a in cmd]
    t = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    times.append((time.perf_counter() - t) * 1000)
print(f"{statistics.median(times):.1f}")
PY
}

printf '| stored requests | `intro --version` ms | `intro status` ms | `intro status --json` ms | one `intro ask` (outbox) ms |\n'
printf '|---|---|---|---|---|\n'
for n in $SIZES; do
    d="$work/$n"
    mkdir -p "$d/config/intro" "$d/data"
    export XDG_CONFIG_HOME="$d/config" INTRO_DATA_DIR="$d/data" INTRO_NOW=2026-03-01T09:00:00Z
    printf '[me]\nname = "Bench"\nemail = "bench@example.com"\n' >"$d/config/intro/config.toml"
    python3 - "$n" "$RUNS" "$d/config/intro/contacts.toml" "$d/batch.csv" <<'PY'
import sys
n, runs = int(sys.argv[1]), int(sys.argv[2])
with open(sys.argv[3], "w") as c:
    c.write('[hub]\nname = "Hub"\nemail = "hub@example.com"\n')
    for i in range(n + runs):
        c.write(f'[p{i}]\nname = "Person {i}"\nemail = "p{i}@example.com"\n')
with open(sys.argv[4], "w") as b:
    b.write("a,b,why\n")
    for i in range(n):
        b.write(f"p{i},hub,reason {i}\n")
PY
    "$intro" ask --batch "$d/batch.csv" --yes --force -q >/dev/null
    version=$(median_ms "$intro" --version)
    status=$(median_ms "$intro" status)
    status_json=$(median_ms "$intro" status --json)
    # A fresh A each run (p<n>, p<n+1>, ...); --force skips the fatigue check.
    ask=$(OFFSET=$n median_ms "$intro" ask "p{i}" hub --why "a new ask" --yes --force)
    printf '| %s | %s | %s | %s | %s |\n' "$n" "$version" "$status" "$status_json" "$ask"
done
