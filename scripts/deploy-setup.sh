#!/usr/bin/env bash
# Install the tools that deploying Back Care Coach needs. Idempotent: a second run only checks.
# Usage: scripts/deploy-setup.sh [all|sam|aws|ask-cli]   (default: all)
#   sam      AWS SAM CLI in .venv-sam (pinned in scripts/sam-requirements.txt; it pins boto3)
#   aws      the AWS CLI from PyPI in .venv-aws (pinned in scripts/deploy-requirements.txt)
#   ask-cli  the ASK CLI from npm in scripts/ask-cli/node_modules (ask-cli 2.30.7 with the npm
#            override antlr4ts 0.5.0-alpha.4, without which it crashes at start; locked by
#            scripts/ask-cli/package-lock.json). Needs Node.js 14+ and npm.
# `all` also runs `scripts/bootstrap.sh run` (the project's .venv with the `backcare` command).
# Afterwards: export PATH="$PWD/.venv/bin:$PWD/.venv-sam/bin:$PWD/.venv-aws/bin:$PWD/scripts/ask-cli/node_modules/.bin:$PATH"
set -euo pipefail
what="${1:-all}"
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
say() { printf 'deploy-setup: %s\n' "$*" >&2; }
die() { say "ERROR: $1"; exit "${2:-1}"; }
pip_quiet() { "$@" 2>&1 | { grep -v "^WARNING: Location '" || true; }; return "${PIPESTATUS[0]}"; }
stamp_of() { cat "$@" 2>/dev/null | sha256sum | cut -c1-16; }
py="${PYTHON:-python3}"

# A venv holding exactly one pinned requirements file, rebuilt only when that file changes.
pinned_venv() {  # pinned_venv DIR REQUIREMENTS LABEL
  local dir="$1" requirements="$2" label="$3" want
  want="$(stamp_of "$requirements")"
  if [ "$(cat "$dir/.installed" 2>/dev/null)" != "$want" ]; then
    command -v "$py" >/dev/null || die "python3 is not installed (Debian/Ubuntu: apt-get install python3 python3-venv)"
    say "installing $label into $dir"
    [ -x "$dir/bin/python" ] || "$py" -m venv "$dir"
    pip_quiet "$dir/bin/python" -m pip install -q --upgrade pip >/dev/null
    pip_quiet "$dir/bin/python" -m pip install -q -r "$requirements"
    echo "$want" > "$dir/.installed"
  fi
}

install_ask_cli() {
  local dir=scripts/ask-cli want
  command -v node >/dev/null || die "Node.js is not installed, and the ASK CLI runs on it. Install Node.js 18 or newer with npm (Debian/Ubuntu: apt-get install nodejs npm; elsewhere: https://nodejs.org), then run this again." 3
  command -v npm >/dev/null || die "npm is not installed (Node.js $(node --version) is). Install npm (Debian/Ubuntu: apt-get install npm), then run this again." 3
  local major
  major="$(node -p 'process.versions.node.split(".")[0]')"
  [ "$major" -ge 14 ] || die "ask-cli 2.30.7 needs Node.js 14 or newer; $(node --version) found." 3
  want="$(stamp_of "$dir/package.json" "$dir/package-lock.json")"
  if [ "$(cat "$dir/node_modules/.installed" 2>/dev/null)" != "$want" ] || [ ! -x "$dir/node_modules/.bin/ask" ]; then
    say "installing ask-cli 2.30.7 into $dir/node_modules (npm ci; the first time takes a minute)"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
    echo "$want" > "$dir/node_modules/.installed"
  fi
  "$dir/node_modules/.bin/ask" --version >/dev/null || die "ask-cli is installed but does not start: delete $dir/node_modules and run this again"
}

case "$what" in
  all)
    scripts/bootstrap.sh run
    pinned_venv .venv-sam scripts/sam-requirements.txt "aws-sam-cli"
    pinned_venv .venv-aws scripts/deploy-requirements.txt "the AWS CLI"
    install_ask_cli ;;
  sam) pinned_venv .venv-sam scripts/sam-requirements.txt "aws-sam-cli" ;;
  aws) pinned_venv .venv-aws scripts/deploy-requirements.txt "the AWS CLI" ;;
  ask-cli) install_ask_cli ;;
  *) die "unknown part '$what': use all, sam, aws or ask-cli" 2 ;;
esac
say "ready ($what): sam $([ -x .venv-sam/bin/sam ] && echo yes || echo no), aws $([ -x .venv-aws/bin/aws ] && echo yes || echo no), ask $([ -x scripts/ask-cli/node_modules/.bin/ask ] && echo yes || echo no)"
