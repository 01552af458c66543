#!/bin/sh
# Installs the Debian packages the tests use when they are missing. The tests fail (never
# skip) without them, so a machine that cannot install them says so here, clearly.
# python3-uno: the converter's bridge (service/conversion/uno_bridge.py) runs under Debian's
# /usr/bin/python3 and talks to LibreOffice through it. fonts-symbola: symbols people type
# into free text (⚽) would otherwise print as empty boxes in the PDF. postgresql, redis-server:
# the tests and the benchmark start their own PostgreSQL and Redis (tests/servers.py) on free
# loopback ports; the services the packages install are not used.
set -eu
PACKAGES="libreoffice-writer-nogui python3-uno poppler-utils fonts-liberation2 fonts-dejavu-core fonts-symbola chromium postgresql redis-server bubblewrap"
missing=""
command -v soffice >/dev/null 2>&1 || missing="yes"
command -v pdftoppm >/dev/null 2>&1 || missing="yes"
/usr/bin/python3 -c "import uno" >/dev/null 2>&1 || missing="yes"
[ -n "$(fc-list ':charset=26bd' 2>/dev/null)" ] || missing="yes"
# The browser tests drive Debian's Chromium (Playwright's own download cannot be used here).
[ -x /usr/bin/chromium ] || missing="yes"
ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || missing="yes"
command -v redis-server >/dev/null 2>&1 || missing="yes"
# LibreOffice converts inside bubblewrap: no network, no files outside its own folder.
command -v bwrap >/dev/null 2>&1 || missing="yes"
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "system-deps: installing $PACKAGES" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends $PACKAGES >/dev/null
else
    echo "system-deps: LibreOffice (soffice, python3-uno), poppler-utils, Chromium, PostgreSQL and Redis are needed by the tests." >&2
    echo "  Install them with: sudo apt-get install $PACKAGES" >&2
    exit 1
fi
