#!/usr/bin/env bash
# The mailbox at scale, side by side with notmuch: `intro who-knows` (its
# index build, a second query, a run with nothing new and one after one new
# message), `intro sync` (nothing new, one new message), peak RSS, and the
# same question to notmuch (`notmuch new`, then `notmuch address
# --output=count`) on the same generated Maildir; then over IMAP against
# the test suite's Dovecot (tests/servers/dovecot.py).
#
# The Maildir is bench/gen_maildir.py's (deterministic: threads, replies,
# auto-replies, attachments, 2019-2026, ~3,000 correspondents). Timings of
# small runs are hyperfine medians; the page cache is warm (the files are
# read once before anything is timed). Needs Debian's notmuch, hyperfine,
# time (GNU /usr/bin/time), dovecot-imapd, openssl; run as root (Dovecot).
#
#   bench/mailbox.sh                       # 100,000 messages, IMAP 20,000
#   N=20000 IMAP_N=5000 bench/mailbox.sh   # smaller
#   SKIP_NOTMUCH=1 bench/mailbox.sh        # intro only
#   ONLY_IMAP=1 bench/mailbox.sh           # the IMAP figures only
#   INTRO=/path/to/intro bench/mailbox.sh  # measure another build
#   KEEP=1 bench/mailbox.sh                # keep the files (path printed)
#
# Prints one line per figure, e.g.
#   what=who-knows-first N=100000 seconds=1.91 peak_rss_mib=31.2
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
if [ -z "${INTRO:-}" ]; then
    cargo build --quiet --release --manifest-path "$here/Cargo.toml"
    INTRO="$here/target/release/intro"
fi
N=${N:-100000}
IMAP_N=${IMAP_N:-20000}
RUNS=${RUNS:-20}
PYTHON=${PYTHON:-/usr/bin/python3}
work=$(mktemp -d -t intro-bench-XXXXXX)
chmod 755 "$work"
dovecot_dir=""
cleanup() {
    if [ -n "$dovecot_dir" ]; then "$PYTHON" "$here/tests/servers/dovecot.py" stop "$dovecot_dir" >/dev/null 2>&1 || true; fi
    if [ -n "${KEEP:-}" ]; then echo "files kept in $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT

echo "# load before: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores" >&2

# hyperfine's median of `cmd` in milliseconds; extra hyperfine options first.
median_ms() {
    local json="$work/hf.json"
    hyperfine --style none --runs "$RUNS" --warmup 1 --export-json "$json" "$@" >/dev/null 2>&1
    "$PYTHON" -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print("%.1f" % (r["median"] * 1000))' "$json"
}

# One timed run: "seconds peak_rss_mib".
timed() {
    /usr/bin/time -f "%e %M" -o "$work/time" "$@" >/dev/null 2>"$work/stderr" || {
        cat "$work/stderr" >&2
        return 1
    }
    awk '{ printf "%.2f %.1f\n", $1, $2 / 1024 }' "$work/time"
}

# A mail client marking one message read (its file renamed in cur/), so
# cur/'s time moves.
flag_change_cmd() {
    local maildir=$1
    echo "$PYTHON -c 'import os,sys; d=sys.argv[1]; f=sorted(os.listdir(d))[0]; os.rename(os.path.join(d,f), os.path.join(d,f[:-1] if f.endswith(\"T\") else f+\"T\"))' $maildir/cur"
}

# A new message landing in a Maildir's new/, as a delivery agent leaves it.
new_message_cmd() {
    local maildir=$1
    echo "cp $work/one.eml $maildir/new/\$(date +%s%N).new.bench"
}

printf 'From: Ada <ada@example.com>\nTo: Grace Hopper <grace@example.com>\nSubject: hello\nDate: Mon, 30 Nov 2026 10:00:00 +0000\nMessage-ID: <one@example.com>\n\nhi\n' > "$work/one.eml"
export INTRO_CONFIG="$work/config.toml"

if [ -z "${ONLY_IMAP:-}" ]; then
mail="$work/mail"
mkdir -p "$mail"
"$PYTHON" "$here/bench/gen_maildir.py" "$mail/INBOX" --messages "$N" > "$work/targets"
target=$(sed -n 's/^target=//p' "$work/targets")
domain=$(sed -n 's/^domain=//p' "$work/targets")
echo "# $N messages, $(du -sh "$mail" | cut -f1), asking about $target and $domain" >&2
# Warm the page cache.
find "$mail" -type f -exec cat {} + > /dev/null

export INTRO_DATA_DIR="$work/data" INTRO_CONFIG="$work/config.toml"
cat > "$INTRO_CONFIG" <<TOML
[me]
name = "Grace Hopper"
email = "grace@example.com"

[maildir]
path = "$mail/INBOX"
TOML

read -r s rss < <(timed "$INTRO" who-knows "$target")
echo "what=who-knows-first N=$N seconds=$s peak_rss_mib=$rss"
# A second full build, for a second sample of the first run.
rm -f "$INTRO_DATA_DIR/mailbox-index.bin"
read -r s rss < <(timed "$INTRO" who-knows "$target")
echo "what=who-knows-first-again N=$N seconds=$s peak_rss_mib=$rss"
sleep 1.2  # let the folders' times settle (see maildir::settled_mtime)
"$INTRO" who-knows "$target" >/dev/null 2>&1
echo "what=who-knows-nothing-new N=$N median_ms=$(median_ms "$INTRO who-knows $target")"
echo "what=who-knows-domain-nothing-new N=$N median_ms=$(median_ms "$INTRO who-knows $domain")"
read -r s rss < <(timed "$INTRO" who-knows "$target")
echo "what=who-knows-nothing-new-rss N=$N peak_rss_mib=$rss"
echo "what=who-knows-one-new N=$N median_ms=$(median_ms --prepare "$(new_message_cmd "$mail/INBOX")" "$INTRO who-knows $target")"
echo "what=who-knows-flag-change N=$N median_ms=$(median_ms --prepare "$(flag_change_cmd "$mail/INBOX")" "$INTRO who-knows $target")"
read -r s rss < <(timed "$INTRO" sync)
echo "what=sync-first N=$N seconds=$s peak_rss_mib=$rss"
sleep 1.2
"$INTRO" sync >/dev/null 2>&1
echo "what=sync-nothing-new N=$N median_ms=$(median_ms "$INTRO sync")"
echo "what=sync-one-new N=$N median_ms=$(median_ms --prepare "$(new_message_cmd "$mail/INBOX")" "$INTRO sync")"
echo "what=sync-flag-change N=$N median_ms=$(median_ms --prepare "$(flag_change_cmd "$mail/INBOX")" "$INTRO sync")"
rm -f "$mail"/INBOX/new/*.new.bench

if [ -z "${SKIP_NOTMUCH:-}" ]; then
    export NOTMUCH_CONFIG="$work/notmuch-config"
    cat > "$NOTMUCH_CONFIG" <<INI
[database]
path=$mail
[user]
name=Grace Hopper
primary_email=grace@example.com
[new]
tags=inbox;
[search]
exclude_tags=
[maildir]
synchronize_flags=false
INI
    read -r s rss < <(timed notmuch new --quiet)
    echo "what=notmuch-new-first N=$N seconds=$s peak_rss_mib=$rss"
    echo "what=notmuch-new-nothing-new N=$N median_ms=$(median_ms "notmuch new --quiet")"
    q="notmuch address --output=sender --output=recipients --output=count --deduplicate=address from:$target or to:$target"
    echo "what=notmuch-address N=$N median_ms=$(median_ms "$q")"
    qd="notmuch address --output=sender --output=recipients --output=count --deduplicate=address from:${domain#@} or to:${domain#@}"
    echo "what=notmuch-address-domain N=$N median_ms=$(median_ms "$qd")"
    echo "what=notmuch-new-one-new N=$N median_ms=$(median_ms --prepare "$(new_message_cmd "$mail/INBOX")" "notmuch new --quiet")"
fi
rm -rf "$mail" "$work/data"
fi

# IMAP: Dovecot serving a generated Maildir of IMAP_N messages.
dovecot_dir="$work/dc"
mkdir -p "$dovecot_dir/mail"
sh "$here/tests/servers/make_certs.sh" "$work/tls" >/dev/null
"$PYTHON" "$here/bench/gen_maildir.py" "$dovecot_dir/mail/grace" --messages "$IMAP_N" > "$work/targets"
target=$(sed -n 's/^target=//p' "$work/targets")
chown -R mail:mail "$dovecot_dir/mail"
"$PYTHON" "$here/tests/servers/dovecot.py" start "$dovecot_dir" \
    --cert "$work/tls/server.pem" --key "$work/tls/server.key" --user grace:bench-pw > "$work/dc.env"
port=$(sed -n 's/^IMAP_TLS_PORT=//p' "$work/dc.env")
lmtp=$(sed -n 's/^LMTP_SOCKET=//p' "$work/dc.env")
export INTRO_DATA_DIR="$work/data-imap" TEST_IMAP_PW=bench-pw
cat > "$INTRO_CONFIG" <<TOML
[me]
name = "Grace Hopper"
email = "grace@example.com"

[imap]
host = "127.0.0.1"
port = $port
security = "tls"
username = "grace"
password_env = "TEST_IMAP_PW"
ca_file = "$work/tls/ca.pem"
TOML
read -r s rss < <(timed "$INTRO" who-knows "$target")
echo "what=imap-who-knows-first N=$IMAP_N seconds=$s peak_rss_mib=$rss"
echo "what=imap-who-knows-nothing-new N=$IMAP_N median_ms=$(median_ms "$INTRO who-knows $target")"
# The floor under any IMAP client's "nothing new": one connection, TLS,
# LOGIN, EXAMINE INBOX, LOGOUT, by Python's imaplib, less the interpreter's
# start (the same script stopping before it connects); then the same after
# one new message, which Dovecot must take into its own index first.
floor_py="import imaplib,ssl,sys; c=ssl.create_default_context(cafile=sys.argv[1])
if sys.argv[3] == 'go':
    m=imaplib.IMAP4_SSL('127.0.0.1',int(sys.argv[2]),ssl_context=c); m.login('grace','bench-pw'); m.select('INBOX',readonly=True); m.logout()"
printf '%s\n' "$floor_py" > "$work/floor.py"
start=$(median_ms "$PYTHON $work/floor.py $work/tls/ca.pem $port stop")
full=$(median_ms "$PYTHON $work/floor.py $work/tls/ca.pem $port go")
echo "what=imap-floor-examine N=$IMAP_N median_ms=$(awk -v a="$full" -v b="$start" 'BEGIN { printf "%.1f", a - b }') (imaplib $full ms less its start $start ms)"
deliver="$PYTHON -c 'import smtplib,sys; s=smtplib.LMTP(sys.argv[1]); s.sendmail(\"ada@example.com\", [\"grace\"], open(sys.argv[2],\"rb\").read().replace(b\"<one@\", b\"<%d@\" % __import__(\"time\").time_ns())); s.quit()' $lmtp $work/one.eml"
echo "what=imap-who-knows-one-new N=$IMAP_N median_ms=$(median_ms --prepare "$deliver" "$INTRO who-knows $target")"
full=$(median_ms --prepare "$deliver" "$PYTHON $work/floor.py $work/tls/ca.pem $port go")
echo "what=imap-floor-examine-one-new N=$IMAP_N median_ms=$(awk -v a="$full" -v b="$start" 'BEGIN { printf "%.1f", a - b }') (imaplib $full ms less its start $start ms)"
read -r s rss < <(timed "$INTRO" who-knows "$target")
echo "what=imap-who-knows-rss N=$IMAP_N peak_rss_mib=$rss"
echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
