#!/usr/bin/env bash
# Runs the cluster benchmarks (bench/run-all.ts): one JSON line per benchmark on stdout, progress on
# stderr. Arguments pick benchmarks (cluster-writes, cluster-list, cluster-watch); BENCH_SCALE=0.1
# runs a quick, smaller version. The writes baseline needs etcd: Debian's etcd-server is installed
# here when `etcd` is missing (as root, or through sudo).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v etcd >/dev/null 2>&1; then
  echo "[bench] etcd not found; installing Debian's etcd-server" >&2
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update >&2
  $SUDO apt-get install -y etcd-server >&2
fi

exec node --import tsx bench/run-all.ts "$@"
