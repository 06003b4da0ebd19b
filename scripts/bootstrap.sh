#!/usr/bin/env bash
# Set up everything Back Care Coach needs on this machine. Idempotent: a second run only
# checks. Usage: scripts/bootstrap.sh run|test
#   run   the virtual environment for the skill and its local tools
#   test  also the system packages the tests use (ffmpeg, espeak-ng) and aws-sam-cli's own venv
set -euo pipefail
mode="${1:-run}"
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
say() { printf 'bootstrap: %s\n' "$*" >&2; }
die() { say "ERROR: $*"; exit 1; }
# pip here may print one "Location ... is ignored" warning per package for local mirrors that
# this machine does not have; drop those lines, keep everything else and pip's exit status.
pip_quiet() { "$@" 2>&1 | { grep -v "^WARNING: Location '" || true; }; return "${PIPESTATUS[0]}"; }

# --- Python -----------------------------------------------------------------
py="${PYTHON:-python3}"
command -v "$py" >/dev/null || die "python3 (3.11 or newer) is not installed. On Debian/Ubuntu: apt-get install python3 python3-venv"
"$py" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
  || die "Python 3.11 or newer is needed; $("$py" --version) found. Set PYTHON=/path/to/python3.11"
"$py" -c 'import venv, ensurepip' 2>/dev/null \
  || die "the Python venv module is missing. On Debian/Ubuntu: apt-get install python3-venv"

# --- system packages (tests render speech and audio for real) ----------------
need_apt=()
if [ "$mode" = test ]; then
  command -v ffmpeg >/dev/null || need_apt+=(ffmpeg)
  command -v espeak-ng >/dev/null || need_apt+=(espeak-ng)
fi
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "installing system packages: ${need_apt[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
  else
    die "missing system packages: ${need_apt[*]}. Install them (Debian/Ubuntu: sudo apt-get install ${need_apt[*]}; macOS: brew install ${need_apt[*]}) and run this again."
  fi
fi

# --- the project's virtual environment ---------------------------------------
stamp_of() { cat "$@" 2>/dev/null | sha256sum | cut -c1-16; }
venv=.venv
if [ ! -x "$venv/bin/python" ]; then
  say "creating $venv"
  "$py" -m venv "$venv"
fi
want="$(stamp_of pyproject.toml lambda/requirements.txt scripts/constraints.txt)"
if [ "$(cat "$venv/.installed" 2>/dev/null)" != "$want" ]; then
  say "installing the project and its development tools into $venv"
  pip_quiet "$venv/bin/python" -m pip install -q --upgrade pip >/dev/null
  pip_quiet "$venv/bin/python" -m pip install -q -e '.[dev]' -c scripts/constraints.txt
  echo "$want" > "$venv/.installed"
fi

# --- aws-sam-cli in a venv of its own (it pins boto3) -------------------------
if [ "$mode" = test ]; then
  sam_venv=.venv-sam
  sam_want="$(stamp_of scripts/sam-requirements.txt)"
  if [ "$(cat "$sam_venv/.installed" 2>/dev/null)" != "$sam_want" ]; then
    say "installing aws-sam-cli into $sam_venv (first time takes a minute)"
    [ -x "$sam_venv/bin/python" ] || "$py" -m venv "$sam_venv"
    pip_quiet "$sam_venv/bin/python" -m pip install -q --upgrade pip >/dev/null
    pip_quiet "$sam_venv/bin/python" -m pip install -q -r scripts/sam-requirements.txt
    echo "$sam_want" > "$sam_venv/.installed"
  fi
fi
say "ready ($mode)"
