#!/usr/bin/env bash
# Fails when proto/ and what is generated from it disagree: the TypeScript in
# packages/contracts/src/generated (ts-proto), the descriptors gRPC reflection serves
# (descriptor-set.ts) and the API reference docs/api/grpc.md (scripts/gen-proto-artifacts.js).
# buf lint runs first, with COMMENTS on: every message, field, enum value, service and RPC
# must be documented.
set -euo pipefail
source "$(dirname "$0")/lib-node.sh"
cd "$REPO_ROOT/proto"
buf lint
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
sed "s#out: ../packages/contracts/src/generated#out: $tmp/generated#" buf.gen.yaml > "$tmp/buf.gen.yaml"
buf generate --template "$tmp/buf.gen.yaml"
node "$REPO_ROOT/scripts/gen-proto-artifacts.js" --out "$tmp/root"
cp "$tmp/root/packages/contracts/src/generated/descriptor-set.ts" "$tmp/generated/"
stale=0
if ! diff -r "$tmp/generated" "$REPO_ROOT/packages/contracts/src/generated" >/dev/null; then
  echo "generated contracts are stale: run 'make proto' and commit packages/contracts/src/generated" >&2
  diff -r "$tmp/generated" "$REPO_ROOT/packages/contracts/src/generated" | head -20 >&2
  stale=1
fi
if ! diff "$tmp/root/docs/api/grpc.md" "$REPO_ROOT/docs/api/grpc.md" >/dev/null; then
  echo "docs/api/grpc.md is stale: run 'make proto' and commit it" >&2
  diff "$tmp/root/docs/api/grpc.md" "$REPO_ROOT/docs/api/grpc.md" | head -20 >&2
  stale=1
fi
[ "$stale" = 0 ] || exit 1
echo "  contracts, reflection descriptors and docs/api/grpc.md match proto/"
