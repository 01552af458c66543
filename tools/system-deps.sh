#!/bin/sh
# Installs the Debian packages the tests use when they are missing. The tests fail (never
# skip) without them, so a machine that cannot install them says so here, clearly.
set -eu
PACKAGES="libreoffice-writer-nogui poppler-utils fonts-liberation2 fonts-dejavu-core chromium"
missing=""
command -v soffice >/dev/null 2>&1 || missing="yes"
command -v pdftoppm >/dev/null 2>&1 || missing="yes"
# The browser tests drive Debian's Chromium (Playwright's own download cannot be used here).
[ -x /usr/bin/chromium ] || missing="yes"
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "system-deps: installing $PACKAGES" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends $PACKAGES >/dev/null
else
    echo "system-deps: LibreOffice (soffice), poppler-utils and Chromium are needed by the tests." >&2
    echo "  Install them with: sudo apt-get install $PACKAGES" >&2
    exit 1
fi
