#!/usr/bin/env bash
# Fetch the GraphiQL playground's browser files from the npm registry (versions
# pinned by web/package-lock.json) into graph/playground/assets/, which Go embeds
# with //go:embed. The files are build output and are not committed.
set -euo pipefail
cd "$(dirname "$0")/.."

out=graph/playground/assets
# npm path under web/node_modules -> flat name in $out
declare -A files=(
  [graphiql/graphiql.min.js]=graphiql.min.js   # UMD bundle; includes graphql + graphql-ws
  [graphiql/graphiql.min.css]=graphiql.min.css
  [react/umd/react.production.min.js]=react.production.min.js
  [react-dom/umd/react-dom.production.min.js]=react-dom.production.min.js
)

# Nothing to do if every file is already there and newer than the lock file.
fresh=1
for name in "${files[@]}"; do
  [[ "$out/$name" -nt web/package-lock.json ]] || fresh=0
done
if ((fresh)); then
  echo "assets: up to date in $out" >&2
  exit 0
fi

if ! command -v npm >/dev/null || ! command -v node >/dev/null; then
  echo "assets: installing Debian's nodejs and npm" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq nodejs npm >&2
fi

# npm ci installs exactly what the lock file says (web/.npmrc: no scripts, no peers).
(cd web && npm ci --no-progress --loglevel=error) >&2

mkdir -p "$out"
for src in "${!files[@]}"; do
  cp "web/node_modules/$src" "$out/${files[$src]}"
done
echo "assets: copied ${#files[@]} files into $out" >&2
