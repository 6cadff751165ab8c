#!/usr/bin/env bash
# Benchmark a fixed commit while the working tree is being edited:
#   test/bench/snapshot.sh [COMMIT=HEAD] [DIR=/tmp/suanpan-bench-<commit>]
# extracts COMMIT with `git archive` (read-only for the repository), copies this working tree's
# test/bench/ into it, links node_modules (workspace packages point into the snapshot) and records
# the commit in DIR/.bench-code, which `npm run bench:ingest` prints as the code it measured. Then:
#   cd DIR && npm run bench:ingest && cp BENCHMARKS.md <repo>/
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
commit="$(git -C "$repo" rev-parse --short "${1:-HEAD}")"
dir="${2:-/tmp/suanpan-bench-$commit}"
rm -rf "$dir"
mkdir -p "$dir"
git -C "$repo" archive "$commit" | tar -x -C "$dir"
mkdir -p "$dir/test/bench"
cp "$repo"/test/bench/* "$dir/test/bench/"
[ -f "$repo/BENCHMARKS.md" ] && cp "$repo/BENCHMARKS.md" "$dir/"
mkdir "$dir/node_modules" "$dir/node_modules/@suanpan"
for entry in "$repo"/node_modules/* "$repo"/node_modules/.bin; do
  [ "$(basename "$entry")" = "@suanpan" ] || ln -s "$entry" "$dir/node_modules/"
done
for link in "$repo"/node_modules/@suanpan/*; do
  ln -s "../../$(basename "$(readlink "$link")")" "$dir/node_modules/@suanpan/$(basename "$link")"
done
echo "commit $commit (git archive), test/bench from the working tree" > "$dir/.bench-code"
echo "$dir"
