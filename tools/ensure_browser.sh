#!/bin/sh
# Make sure the system Chromium that the atlas browser tests drive (through Playwright) exists.
# Playwright's own browser download cannot reach its host here, so the tests use Debian's package.
# As root (CI) it installs the package; otherwise it prints the exact command and fails.
set -e
BROWSER=/usr/bin/chromium
if [ -x "$BROWSER" ]; then
    exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "ensure_browser: installing chromium (Debian package) for the atlas browser tests"
    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium
    exit 0
fi
echo "ensure_browser: $BROWSER is missing; the atlas browser tests need it. Run:" >&2
echo "    sudo apt-get update && sudo apt-get install -y chromium" >&2
exit 1
