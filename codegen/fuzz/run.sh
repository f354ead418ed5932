#!/usr/bin/env bash
# Fuzzes the whole generator pipeline with libFuzzer: `codegen/fuzz/run.sh [SECONDS]` (default 60).
# Memory (RSS) is capped at 2 GB and each input at 10 s; a panic, an abort, memory past the cap
# or a hang leaves its input in codegen/fuzz/artifacts/ and fails the run. The code under test
# is safe Rust, so the build skips AddressSanitizer for speed.
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-60}"
# cargo-fuzz drives nightly-only instrumentation flags; the stable toolchain accepts them so.
export RUSTC_BOOTSTRAP=1
if ! command -v cargo-fuzz >/dev/null; then
  cargo install cargo-fuzz --locked --version 0.13.2
fi
# The working corpus grows as the fuzzer learns; it starts from the seeds and the project's specs.
mkdir -p corpus/pipeline
cp seeds/* corpus/pipeline/
for spec in ../../specs/*.yaml; do
  if [ "$(wc -c <"$spec")" -le 16384 ]; then cp "$spec" corpus/pipeline/; fi
done
cargo fuzz build --release --debug-assertions --sanitizer none pipeline
cargo fuzz run --release --debug-assertions --sanitizer none pipeline corpus/pipeline -- \
  -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 \
  -max_len=16384 -dict=pipeline.dict -print_final_stats=1
