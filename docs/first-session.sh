#!/bin/sh
# Records docs/first-session.md: a newcomer's first session with intro, typed
# as they would type it, run with the real binary in a throwaway home
# directory (nothing of yours is read or written) with the clock fixed by
# INTRO_NOW. Run it again after a change to what intro prints:
#
#   docs/first-session.sh
#
# Request ids and Message-IDs are random, so they differ on each recording.
# Confirmations are answered "y" on a real terminal (through `script`), so
# the transcript shows the question as a user sees it.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cargo build --quiet --manifest-path "$root/Cargo.toml"
bin="$root/target/debug"
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
out="$root/docs/first-session.md"
log="$home/.log"
now=2026-03-02T09:00:00Z

# Everything runs with only these variables: no config, data or pager of
# the person recording leaks in.
sealed() {
    env -i HOME="$home" PATH="$bin:/usr/bin:/bin" LANG=C.UTF-8 TERM=dumb \
        NO_COLOR=1 PAGER=cat INTRO_NOW="$now" "$@"
}

# The throwaway home shows as `~`, as it would for the user.
tidy() {
    tr -d '\r' | sed "s|$home|~|g"
}

# `say TEXT`: a shell comment in the transcript (what happens between commands).
say() {
    printf '\n# %s\n' "$1" >>"$log"
}

# `run COMMAND`: show the command, run it, show what it printed (stdout
# and stderr as they interleave on a terminal).
run() {
    printf '$ %s\n' "$1" >>"$log"
    sealed sh -c "$1" 2>&1 | tidy >>"$log" || true
}

# `answer COMMAND`: run it on a terminal and answer its question with "y"
# once the question is on the screen.
answer() {
    printf '$ %s\n' "$1" >>"$log"
    screen="$home/.screen"
    : >"$screen"
    {
        until grep -q '\[y/N\]' "$screen"; do sleep 0.2; done
        printf 'y\n'
    } | sealed script -qec "$1" /dev/null >"$screen" || true
    tidy <"$screen" >>"$log"
}

: >"$log"
run 'intro init'
say 'put your name and address under [me] (any editor will do)'
run "sed -i 's/Your Name/Grace Hopper/; s/you@example.com/grace@example.com/' ~/.config/intro/config.toml"
say 'replace the two sample people with your own'
run "cat > ~/.config/intro/contacts.toml <<'EOF'
[ada]
name = \"Ada Lovelace\"
email = \"ada@example.com\"
blurb = \"Writes the first programs for the Analytical Engine.\"

[sam]
name = \"Sam Reed\"
email = \"sam@example.org\"
blurb = \"Builds a compiler for small teams.\"
EOF"
run 'intro contacts check'
answer 'intro ask ada sam --why "you both work on compilers" --wants "twenty minutes of advice on his parser" --format "a video call"'
run 'intro status'
say 'two days later Ada writes back: "Happy to, send him my way."'
now=2026-03-04T10:00:00Z
run 'intro status'
run 'intro approve ada'
run 'intro introduce ada'
answer 'intro introduce ada --send'
run 'intro status --all'

{
    cat <<'EOF'
# A first session

What a newcomer types on their first day with intro, and what intro
answers: set up, add two contacts, ask Ada whether she would like to meet
Sam, see the request, record her yes, and send the introduction. No mail
server is involved: until `[smtp]` is set up, every message lands as an
`.eml` file in the outbox.

Recorded with the real binary by [`first-session.sh`](first-session.sh)
(lines starting with `#` say what happened between commands).

```console
EOF
    cat "$log"
    echo '```'
} >"$out"
echo "wrote $out"
