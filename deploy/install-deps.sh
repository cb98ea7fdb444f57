#!/usr/bin/env bash
# Installs with apt-get what Minyi needs on a Debian machine and is missing.
#   run:  PostgreSQL's server binaries (for the private database) and the fonts of the PDF slips
#   test: the same, plus chromium's headless shell (browser tests) and poppler-utils (pdftotext, PDF tests)
set -euo pipefail
what=${1:-run}
need=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1 || need+=(postgresql)
[ -f /usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf ] || need+=(fonts-droid-fallback)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need+=(fonts-dejavu-core)
if [ "$what" = test ]; then
	[ -x /usr/bin/chromium-headless-shell ] || need+=(chromium-headless-shell)
	command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
fi
command -v go >/dev/null 2>&1 || { echo "Go 1.26 or newer is needed (https://go.dev/doc/install)" >&2; exit 1; }
[ ${#need[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" = 0 ] || sudo=sudo
echo "installing with apt-get: ${need[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
