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
  build_console_web
}
# The console's page (apps/console/web) is bundled by Vite into apps/console/dist/web, which the
# console server serves; rebuilt only when a source file is newer than the last bundle.
build_console_web() {
  local app="$REPO_ROOT/apps/console" stamp="$REPO_ROOT/apps/console/dist/web/index.html"
  if [ -f "$stamp" ] && [ -z "$(find "$app/web" "$app/vite.config.mts" -newer "$stamp" -type f -print -quit)" ]; then return; fi
  echo "› bundling the console page (tsc --noEmit + vite build)"
  (cd "$app" && tsc -p web/tsconfig.json && vite build --logLevel warn)
}
