#!/bin/sh
# tests/fuzz/run_fuzz.sh FUZZER SEEDS RUNS ARTIFACTS — the short fuzz run of
# the test suite (meson test --suite fuzz): RUNS executions from the seed
# corpus SEEDS with a fixed seed, so every run executes the same inputs.
# New corpus entries go to a scratch directory that is removed afterwards
# (SEEDS is never written); a crash, leak or failed invariant is kept as
# ARTIFACTS<kind>-<sha1> and fails the test. Reproduce it with
#   FUZZER ARTIFACTS<kind>-<sha1>
set -eu
fuzzer=$1 seeds=$2 runs=$3 artifacts=$4
work=$(mktemp -d "${TMPDIR:-/tmp}/hvsim-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
mkdir -p "$(dirname "$artifacts")"
"$fuzzer" -seed=1 -runs="$runs" -max_len=4096 -timeout=20 \
	-rss_limit_mb=2048 -print_final_stats=1 \
	-artifact_prefix="$artifacts" "$work" "$seeds"
