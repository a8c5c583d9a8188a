#!/usr/bin/env bash
# Store scale: what `intro status` and one `intro ask` (outbox) cost with
# 10, 1,000 and 10,000 stored requests, against `intro --version` (start-up
# alone) and `intro status` on an empty store. The store looks like a
# user's after years of use: requests spread evenly over the three years
# before "now", 2% of them open, the rest introduced, declined or
# cancelled, between the people of an address book of CONTACTS (200)
# contacts, the same for every size, so that only the store grows.
#
# The requests are written in intro's first store format (one snapshot of
# everything); intro's first change (cancelling one open request) moves
# the closed ones to its archive, as it would for a user upgrading.
# Medians of repeated wall-clock runs: run it on a quiet machine.
#
#   bench/store_scale.sh            # sizes 10 1000 10000, 21 runs each
#   SIZES="10 1000" RUNS=11 bench/store_scale.sh
#   KEEP=1 bench/store_scale.sh     # keep the stores (the path is printed)
#
# The last column repeats the ask with the data directory on a tmpfs
# (/dev/shm), where fsync costs nothing: the difference is what making
# each ask durable costs on this disk.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cargo build --quiet --release --manifest-path "$here/Cargo.toml"
intro="$here/target/release/intro"
SIZES=${SIZES:-"10 1000 10000"}
RUNS=${RUNS:-21}
work=$(mktemp -d)
shm=""
if [ -d /dev/shm ] && [ -w /dev/shm ]; then shm=$(mktemp -d -p /dev/shm); fi
trap '[ -n "$shm" ] && rm -rf "$shm"; [ -n "${KEEP:-}" ] && echo "stores kept in $work" >&2 || rm -rf "$work"' EXIT

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

setup() { # setup DIR N: config, address book, a store of N requests
    local d=$1 n=$2
    mkdir -p "$d/config/intro" "$d/data"
    printf '[me]\nname = "Bench"\nemail = "bench@example.com"\n' >"$d/config/intro/config.toml"
    python3 - "$n" "$RUNS" "$d" "${CONTACTS:-200}" <<'PY'
import datetime, json, sys
n, runs, d, people = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
with open(f"{d}/config/intro/contacts.toml", "w") as c:
    c.write('[hub]\nname = "Hub"\nemail = "hub@example.com"\n')
    for i in range(people):
        c.write(f'[p{i}]\nname = "Person {i}"\nemail = "p{i}@example.com"\n')
    # One fresh A for each timed ask.
    for i in range(runs):
        c.write(f'[new{i}]\nname = "Newcomer {i}"\nemail = "new{i}@example.com"\n')
if n == 0:
    sys.exit(0)
now = datetime.datetime(2026, 3, 1, 9, tzinfo=datetime.timezone.utc)
span = datetime.timedelta(days=3 * 365)
closed = ["introduced", "declined", "cancelled"]
stamp = lambda t: t.strftime("%Y-%m-%dT%H:%M:%SZ")
with open(f"{d}/data/requests.json", "w") as s:
    s.write(json.dumps({"intro_store": 1, "generation": 1}) + "\n")
    for i in range(n):
        # Oldest first; the open ones are the newest.
        at = stamp(now - span + span * (i + 1) / (n + 1))
        state = "asked" if i >= n - (n + 49) // 50 else closed[i % 3]
        a, b = f"p{i % people}", f"p{(i * 7 + 1) % people}"
        if a == b:
            b = "hub"
        history = [{"at": at, "kind": "asked"}]
        if state == "introduced":
            history += [{"at": at, "kind": "approved"}, {"at": at, "kind": "introduced"}]
        elif state != "asked":
            history.append({"at": at, "kind": state})
        s.write(json.dumps({
            "id": f"{i:08x}", "a": a, "a_email": f"{a}@example.com",
            "b": b, "b_email": f"{b}@example.com",
            "why": f"you both work on project {i}", "status": state,
            "created_at": at, "asked_at": at, "updated_at": at,
            "subject": f"Would you be open to meeting Person {b[1:]}?",
            "message_id": f"<intro.{i:08x}.ask.0@example.com>", "history": history,
        }, separators=(",", ":")) + "\n")
PY
    if [ "$n" -gt 0 ]; then # intro's first change: moves closed ones to the archive
        XDG_CONFIG_HOME="$d/config" INTRO_DATA_DIR="$d/data" INTRO_NOW=2026-03-01T09:00:00Z \
            "$intro" cancel "$(printf '%08x' $((n - 1)))" >/dev/null 2>&1
    fi
}

printf '| stored requests (open) | `--version` ms | `status` ms | `status --all` ms | one `ask` (outbox) ms | `ask --dry-run` ms | `ask`, data on tmpfs ms |\n'
printf '|---|---|---|---|---|---|---|\n'
for n in 0 $SIZES; do
    d="$work/$n"
    setup "$d" "$n"
    # The same store on tmpfs, copied before any timed ask changes it.
    if [ -n "$shm" ]; then cp -a "$d/data" "$shm/$n"; fi
    export XDG_CONFIG_HOME="$d/config" INTRO_DATA_DIR="$d/data" INTRO_NOW=2026-03-01T09:00:00Z
    version=$(median_ms "$intro" --version)
    status=$(median_ms "$intro" status)
    all=$(median_ms "$intro" status --all)
    # A fresh A each run (new0, new1, ...), with every check an ask makes.
    ask=$(median_ms "$intro" ask "new{i}" hub --why "a new ask" --yes)
    # The same work without writing anything: what is left is disk writes.
    dry=$(median_ms "$intro" ask "new0" "p{i}" --why "a new ask" --dry-run)
    tmpfs="-"
    if [ -n "$shm" ]; then
        tmpfs=$(INTRO_DATA_DIR="$shm/$n" median_ms "$intro" ask "new{i}" hub --why "a new ask" --yes)
    fi
    open=$(( n == 0 ? 0 : (n + 49) / 50 - 1 ))
    printf '| %s (%s) | %s | %s | %s | %s | %s | %s |\n' "$n" "$open" "$version" "$status" "$all" "$ask" "$dry" "$tmpfs"
done
