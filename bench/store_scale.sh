#!/usr/bin/env bash
# Store scale: what `intro status` and one `intro ask` (outbox) cost with
# 10, 1,000 and 10,000 stored requests, against `intro --version` (start-up
# alone) and `intro status` on an empty store. The store is written
# directly in intro's format, as a user's would look after a long while:
# 2% of the requests open, the rest introduced, declined or cancelled.
# Medians of repeated wall-clock runs: run it on a quiet machine.
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

# Median wall time in milliseconds of RUNS runs of a command; `{i}` in an
# argument becomes the run's number plus $OFFSET.
median_ms() {
    python3 - "$RUNS" "$@" <<'PY'
import os, statistics, subprocess, sys, time
runs = int(sys.argv[1]); cmd = sys.argv[2:]
offset = int(os.environ.get("OFFSET", "0"))
times = []
for i in range(runs):
    argv = [a.replace("{i}", str(i + offset)) for a in cmd]
    t = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    times.append((time.perf_counter() - t) * 1000)
print(f"{statistics.median(times):.1f}")
PY
}

setup() { # setup DIR N: config, N+RUNS contacts, a store of N requests
    local d=$1 n=$2
    mkdir -p "$d/config/intro" "$d/data"
    printf '[me]\nname = "Bench"\nemail = "bench@example.com"\n' >"$d/config/intro/config.toml"
    python3 - "$n" "$RUNS" "$d" <<'PY'
import json, sys
n, runs, d = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
with open(f"{d}/config/intro/contacts.toml", "w") as c:
    c.write('[hub]\nname = "Hub"\nemail = "hub@example.com"\n')
    for i in range(n + runs):
        c.write(f'[p{i}]\nname = "Person {i}"\nemail = "p{i}@example.com"\n')
if n == 0:
    sys.exit(0)
closed = ["introduced", "declined", "cancelled"]
with open(f"{d}/data/requests.json", "w") as s:
    s.write(json.dumps({"intro_store": 1, "generation": 1}) + "\n")
    for i in range(n):
        state = "asked" if i % 50 == 0 else closed[i % 3]
        at = "2026-02-01T09:00:00Z"
        history = [{"at": at, "kind": "asked"}]
        if state == "introduced":
            history += [{"at": at, "kind": "approved"}, {"at": at, "kind": "introduced"}]
        elif state != "asked":
            history.append({"at": at, "kind": state})
        s.write(json.dumps({
            "id": f"{i:08x}", "a": f"p{i}", "a_email": f"p{i}@example.com",
            "b": "hub", "b_email": "hub@example.com",
            "why": f"you both work on project {i}", "status": state,
            "created_at": at, "asked_at": at, "updated_at": at,
            "subject": "Would you be open to meeting Hub?",
            "message_id": f"<intro.{i:08x}.ask.0@example.com>", "history": history,
        }, separators=(",", ":")) + "\n")
PY
}

printf '| stored requests (open) | `--version` ms | `status` ms | `status --all` ms | one `ask` (outbox) ms |\n'
printf '|---|---|---|---|---|\n'
for n in 0 $SIZES; do
    d="$work/$n"
    setup "$d" "$n"
    export XDG_CONFIG_HOME="$d/config" INTRO_DATA_DIR="$d/data" INTRO_NOW=2026-03-01T09:00:00Z
    version=$(median_ms "$intro" --version)
    status=$(median_ms "$intro" status)
    all=$(median_ms "$intro" status --all)
    # A fresh A each run (p<n>, p<n+1>, ...); --force skips the fatigue check.
    ask=$(OFFSET=$n median_ms "$intro" ask "p{i}" hub --why "a new ask" --yes --force)
    open=$(( n == 0 ? 0 : (n + 49) / 50 ))
    printf '| %s (%s) | %s | %s | %s | %s |\n' "$n" "$open" "$version" "$status" "$all" "$ask"
done
