#!/usr/bin/env bash
# Fails when proto/ and the committed generated code in packages/contracts disagree.
set -euo pipefail
source "$(dirname "$0")/lib-node.sh"
cd "$REPO_ROOT/proto"
buf lint
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
sed "s#out: ../packages/contracts/src/generated#out: $tmp#" buf.gen.yaml > "$tmp/buf.gen.yaml"
buf generate --template "$tmp/buf.gen.yaml"
rm "$tmp/buf.gen.yaml"
if ! diff -r "$tmp" "$REPO_ROOT/packages/contracts/src/generated" >/dev/null; then
  echo "generated contracts are stale: run 'make proto' and commit packages/contracts/src/generated" >&2
  diff -r "$tmp" "$REPO_ROOT/packages/contracts/src/generated" | head -20 >&2
  exit 1
fi
echo "  contracts match proto/"
