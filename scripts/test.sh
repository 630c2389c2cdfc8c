#!/usr/bin/env bash
# Runs every unit test (beside the code) and every integration suite (test/) with node's test runner.
# Node 20's runner has no globs of its own, so the shell expands them.
set -euo pipefail
shopt -s globstar nullglob
cd "$(dirname "$0")/.."
export PATH="$PWD/.tools/bin:$PATH"
files=(src/**/*.test.ts test/**/*.test.ts)
if [ "$#" -gt 0 ]; then files=("$@"); fi
exec node --import tsx --test --test-concurrency="${TEST_CONCURRENCY:-2}" --test-timeout=600000 "${files[@]}"
