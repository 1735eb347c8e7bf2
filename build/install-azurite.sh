#!/usr/bin/env bash
# Installs Azurite (the Azure Storage emulator, an npm package) into .tools/azurite/ (ignored by git) unless it is
# there already. The remote cache tests start its blob service on a loopback port and stop it after.
set -euo pipefail
cd "$(dirname "$0")/.."
version="3.37.0"
dir=".tools/azurite"
if [ -x "$dir/node_modules/.bin/azurite-blob" ] && grep -q "\"version\": \"$version\"" "$dir/node_modules/azurite/package.json" 2>/dev/null; then
  exit 0
fi
command -v npm >/dev/null || { echo "npm is needed to install Azurite for the remote cache tests" >&2; exit 1; }
mkdir -p "$dir"
npm install --prefix "$dir" --no-audit --no-fund --loglevel=error "azurite@$version" >/dev/null
echo "installed Azurite $version into $dir"
