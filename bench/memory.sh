#!/usr/bin/env bash
# Memory at scale: peak resident memory (RSS) and wall time of
# `intro contacts check` and `intro ask --batch FILE --yes` with N contacts
# and an N-row batch, one contact per row, to a local SMTP server over
# plain SMTP and over STARTTLS with AUTH.
#
# The files have the shape the batch comparison with mailmerge uses (see
# docs/performance.md): one `[pNNNNNN]` contact per row with `name`,
# `email` and `company`, plus `sam`, the person every row asks about; each
# row's `why` carries a token unique to the row.
#
# The SMTP server is the test suite's (tests/servers/smtp_server.py, with
# Debian's python3-aiosmtpd), advertising PIPELINING, storing every message
# in a Maildir; the script counts what arrived. Needs GNU time
# (/usr/bin/time, package `time`) and openssl for the STARTTLS certificate.
#
#   bench/memory.sh                       # N = 10000 and 100000
#   SIZES="1000 10000" bench/memory.sh
#   INTRO=/path/to/intro bench/memory.sh  # measure another build
#   KEEP=1 bench/memory.sh                # keep the files (path printed)
#
# Prints one line per run:
#   what=ask-plain N=10000 peak_rss_mib=14.2 seconds=5.84 received=10000 rc=0
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
if [ -z "${INTRO:-}" ]; then
    cargo build --quiet --release --manifest-path "$here/Cargo.toml"
    INTRO="$here/target/release/intro"
fi
SIZES=${SIZES:-"10000 100000"}
PYTHON=${PYTHON:-/usr/bin/python3}
work=$(mktemp -d)
server_pid=""
cleanup() {
    if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; fi
    if [ -n "${KEEP:-}" ]; then echo "files kept in $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
sh "$here/tests/servers/make_certs.sh" "$work/tls" >/dev/null

# The contacts file and the batch file of N rows.
make_files() {
    local n=$1 dir=$2
    mkdir -p "$dir/config/intro" "$dir/data"
    awk -v n="$n" -v contacts="$dir/config/intro/contacts.toml" -v batch="$dir/batch.csv" 'BEGIN {
        split("Acme Corp,Globex,Initech,Umbrella Ltd,Hooli,Stark Industries,Wayne Enterprises", co, ",")
        split("payments infra,search ranking,SRE on-call tooling,data platform,mobile onboarding,security reviews", to, ",")
        printf "[sam]\nname = \"Sam Builder\"\nemail = \"sam@example.org\"\nblurb = \"Builds developer tools.\"\n\n" > contacts
        print "a,b,why,wants,format" > batch
        for (i = 1; i <= n; i++) {
            h = sprintf("p%06d", i)
            printf "[%s]\nname = \"Person %d\"\nemail = \"person%06d@example.com\"\ncompany = \"%s\"\n\n", h, i, i, co[i % 7 + 1] > contacts
            printf "%s,sam,you both work on %s (ref tok%06dx),twenty minutes of advice,a video call\n", h, to[i % 6 + 1], i > batch
        }
    }'
}

# The config pointing at the server on PORT, with SECURITY.
make_config() {
    local dir=$1 port=$2 security=$3
    {
        printf '[me]\nname = "Alice Sender"\nemail = "alice@example.com"\n\n'
        printf '[smtp]\nhost = "127.0.0.1"\nport = %s\nsecurity = "%s"\n' "$port" "$security"
        if [ "$security" != none ]; then
            printf 'username = "bench"\npassword_env = "BENCH_SMTP_PASSWORD"\nca_file = "%s"\n' \
                "$work/tls/ca.pem"
        fi
    } >"$dir/config/intro/config.toml"
}

start_server() {
    local dir=$1 security=$2
    local args=(--port-file "$dir/port" --maildir "$dir/maildir" --pipelining)
    if [ "$security" != none ]; then
        args+=(--security "$security" --cert "$work/tls/server.pem" --key "$work/tls/server.key"
            --auth bench:benchpass)
    fi
    "$PYTHON" "$here/tests/servers/smtp_server.py" "${args[@]}" 2>"$dir/server.log" &
    server_pid=$!
    for _ in $(seq 1 200); do [ -s "$dir/port" ] && break; sleep 0.05; done
    [ -s "$dir/port" ] || { echo "the SMTP server did not start: $dir/server.log" >&2; exit 1; }
}

stop_server() {
    kill "$server_pid"
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
}

# Runs intro with ARGS in DIR under GNU time; prints the line for WHAT.
measure() {
    local what=$1 n=$2 dir=$3 received=$4
    shift 4
    local rc=0 t0 t1
    t0=$(date +%s%N)
    XDG_CONFIG_HOME="$dir/config" INTRO_DATA_DIR="$dir/data" BENCH_SMTP_PASSWORD=benchpass \
        /usr/bin/time -v -o "$dir/time-$what.txt" "$INTRO" "$@" \
        >"$dir/out-$what.txt" 2>"$dir/err-$what.txt" </dev/null || rc=$?
    t1=$(date +%s%N)
    if [ "$received" = count ]; then
        received=$(find "$dir/maildir" -type f | wc -l)
    fi
    awk -v what="$what" -v n="$n" -v a="$t0" -v b="$t1" -v got="$received" -v rc="$rc" \
        -F': ' '/Maximum resident set size/ {
            printf "what=%s N=%d peak_rss_mib=%.1f seconds=%.2f received=%s rc=%d\n",
                what, n, $2 / 1024, (b - a) / 1e9, got, rc }' "$dir/time-$what.txt"
}

for n in $SIZES; do
    for security in none starttls; do
        dir="$work/$n-$security"
        make_files "$n" "$dir"
        start_server "$dir" "$security"
        make_config "$dir" "$(cat "$dir/port")" "$security"
        if [ "$security" = none ]; then
            measure contacts-check "$n" "$dir" - contacts check
            measure ask-plain "$n" "$dir" count ask --batch "$dir/batch.csv" --yes
        else
            measure ask-starttls "$n" "$dir" count ask --batch "$dir/batch.csv" --yes
        fi
        stop_server
        # The Maildir of 100,000 messages is not worth keeping.
        [ -n "${KEEP:-}" ] || rm -rf "$dir/maildir"
    done
done
