#!/usr/bin/env bash
# Installs the Debian packages the project needs, only those missing (apt-get update runs only then).
#   libpango*: WeasyPrint's text layout; libharfbuzz-subset0: fast font subsetting;
#   gettext: compiles the translations; chromium: the browser tests (Playwright drives Debian's build); fonts-wqy-microhei: a CJK font so Chinese records render; poppler-utils: pdffonts/pdftoppm to check them.
set -euo pipefail
packages=(gettext libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-wqy-microhei poppler-utils chromium)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then SUDO=sudo; else
    echo "missing system packages (run as root): ${missing[*]}" >&2; exit 1; fi
fi
echo "installing system packages: ${missing[*]}"
${SUDO:-} apt-get update -qq
DEBIAN_FRONTEND=noninteractive ${SUDO:-} apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
