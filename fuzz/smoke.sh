#!/bin/sh
# A short fuzz run of every target, one after another: a few seconds and at
# most 100,000 inputs each. It checks that the targets build and that their
# seeds and first mutations keep every property; the real runs are longer
# (docs/fuzzing.md). New inputs go to a temporary folder, so the corpora in
# the repository stay as they are.
#
#   fuzz/smoke.sh          10 seconds per target
#   fuzz/smoke.sh 30       30 seconds per target
set -eu
cd "$(dirname "$0")"
seconds=${1:-10}
# cargo-fuzz passes -Z flags to rustc; this lets a stable toolchain take them.
export RUSTC_BOOTSTRAP=1
cargo fuzz build -a --sanitizer none
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
failed=""
for target in $(cargo fuzz list); do
    mkdir -p "$scratch/$target"
    if cargo fuzz run -a --sanitizer none "$target" "$scratch/$target" "corpus/$target" -- \
        -runs=100000 -max_total_time="$seconds" -max_len=4096 -timeout=10 \
        -print_final_stats=1 >"$scratch/$target.log" 2>&1; then
        runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$scratch/$target.log")
        echo "ok: $target ($runs inputs)"
    else
        tail -n 40 "$scratch/$target.log"
        echo "FAILED: $target (the input is in fuzz/artifacts/$target/)"
        failed="$failed $target"
    fi
done
if [ -n "$failed" ]; then
    echo "failed:$failed"
    exit 1
fi
