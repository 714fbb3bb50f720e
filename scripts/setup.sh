#!/usr/bin/env bash
# Idempotent set-up for `make run` and `make test`: uv, the locked virtualenv, and the Debian
# packages the app needs (a CJK font; for tests also chromium and poppler). A second run only
# checks and returns in a second or two.
set -euo pipefail
cd "$(dirname "$0")/.."

want_test_tools=0
[ "${1:-}" = "--test" ] && want_test_tools=1

say() { printf '\033[1;34m[setup]\033[0m %s\n' "$*"; }

find_uv() {
  for candidate in "$(command -v uv 2>/dev/null || true)" "$HOME/.local/bin/uv" ".tools/bin/uv"; do
    if [ -n "$candidate" ] && [ -x "$candidate" ]; then echo "$candidate"; return 0; fi
  done
  return 1
}

UV=$(find_uv || true)
if [ -z "$UV" ]; then
  say "installing uv (from PyPI)"
  if ! python3 -m pip install --user --quiet uv 2>/dev/null; then
    # Debian's system Python refuses `pip install --user` (externally managed): use a private venv.
    python3 -m venv .tools
    .tools/bin/pip install --quiet uv
  fi
  UV=$(find_uv)
fi

# Only the packages in uv.lock, exactly; `--frozen` refuses to touch the lock file.
"$UV" sync --frozen --quiet

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo "$@"; else return 1; fi
}

apt_updated=0
apt_install() {
  command -v apt-get >/dev/null || { say "no apt-get here: please install $* yourself"; return 1; }
  if [ $apt_updated = 0 ]; then as_root apt-get update -qq || return 1; apt_updated=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

if ! fc-list 2>/dev/null | grep -qiE 'wenquanyi|wqy|noto sans cjk|noto serif cjk'; then
  say "installing a CJK font for PDFs (fonts-wqy-microhei)"
  apt_install fonts-wqy-microhei fontconfig || say "WARNING: no CJK font; Chinese in PDFs will show as boxes"
fi

if [ $want_test_tools = 1 ]; then
  if ! command -v chromium >/dev/null; then
    say "installing Debian's chromium for the browser tests"
    apt_install chromium || say "WARNING: chromium unavailable; browser tests will be skipped"
  fi
  if ! command -v pdftoppm >/dev/null; then
    say "installing poppler-utils (PDF to PNG, used by the PDF tests)"
    apt_install poppler-utils || say "WARNING: poppler-utils unavailable; PDF rendering tests will be skipped"
  fi
fi
echo "$UV" > .venv/.uv-path
