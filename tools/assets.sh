#!/bin/sh
# Front-end packages: installs exactly what package-lock.json pins (hds-core for the forms'
# look, axe-core for the accessibility tests) and copies the Helsinki Design System styles the
# forms serve into service/pages/static/vendor/. Run by `make run` and `make test`; the copied files
# are build output (git-ignored), never edited by hand.
set -eu
cd "$(dirname "$0")/.."
if ! command -v npm >/dev/null 2>&1; then
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "assets: installing nodejs npm" >&2
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
    else
        echo "assets: Node.js and npm are needed to install the forms' styles (hds-core)." >&2
        echo "  Install them with: sudo apt-get install nodejs npm" >&2
        exit 1
    fi
fi
# hds-core declares node 22 in "engines" but is plain CSS: any npm that can unpack it will do.
npm ci --no-audit --no-fund --loglevel=error
out=service/pages/static/vendor/hds
rm -rf "$out"
mkdir -p "$out"
# The design tokens and base typography, then every component's styles, as one file.
cat node_modules/hds-core/lib/base.min.css node_modules/hds-core/lib/components/all.min.css > "$out/hds-core.min.css"
cp node_modules/hds-core/LICENSE "$out/LICENSE"
echo "assets: hds-core $(node -p 'require("./node_modules/hds-core/package.json").version') -> $out" >&2
# make compares times: mark the install as done now, whatever times npm gave the files.
touch node_modules/axe-core/axe.min.js
