# Sourced by the project's scripts: puts Node 24 first on PATH and installs dependencies once.
# shellcheck shell=bash
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NODE_BIN="$(bash "$REPO_ROOT/scripts/ensure-node.sh")"
export PATH="$NODE_BIN:$REPO_ROOT/node_modules/.bin:$PATH"
# The machine's ~/.npmrc may carry an obsolete "nodedir" key that makes npm print a warning on
# every call; it is irrelevant to this project.
export npm_config_nodedir=""
ensure_deps() {
  if [ ! -d "$REPO_ROOT/node_modules/.bin" ] || [ "$REPO_ROOT/package-lock.json" -nt "$REPO_ROOT/node_modules/.package-lock.json" ]; then
    echo "› installing npm dependencies (npm ci)"
    (cd "$REPO_ROOT" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}
build_all() {
  echo "› compiling TypeScript (tsc -b)"
  (cd "$REPO_ROOT" && tsc -b tsconfig.json)
}
