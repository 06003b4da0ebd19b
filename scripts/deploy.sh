#!/usr/bin/env bash
# Deploy Back Care Coach end to end: the skill, the function in each Alexa region, the endpoints.
# Usage: scripts/deploy.sh [--regions us-east-1,eu-west-1,us-west-2] [--profile NAME] [--yes]
#                          [--submission] [--dry-run] [-- EXTRA sam deploy parameter overrides]
#
#   1. no skill id yet in .ask/ask-states.json: create the skill from a package without endpoint
#      and events (SMAPI refuses an endpoint whose function does not trust the skill yet), and
#      ask-cli records its id there (`backcare skill-id --set ID` first for a console-made skill)
#   2. sam build, then sam deploy of the same template to each region's samconfig environment,
#      with SkillId=<the skill id> (each stack: function, table, audio bucket)
#   3. the package again, now with each stack's endpoint as the regional endpoint and the skill
#      events subscribed, deployed with ask-cli; then the skill is enabled for testing
# Safe to re-run: step 1 is skipped once the skill exists; later runs update everything.
# --dry-run prints the commands without running them (no AWS or Amazon account needed).
# Needs: scripts/deploy-setup.sh (run first by this script), `ask configure`, AWS credentials.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
regions="us-east-1,eu-west-1,us-west-2"; profile="default"; confirm=(); package_flags=(); dry=""
overrides=()
while [ $# -gt 0 ]; do
  case "$1" in
    --regions) regions="$2"; shift 2 ;;
    --profile) profile="$2"; shift 2 ;;
    --yes) confirm=(--no-confirm-changeset); shift ;;
    --submission) package_flags+=(--submission); shift ;;
    --dry-run) dry=1; shift ;;
    --) shift; overrides=("$@"); break ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "deploy: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
say() { printf '\ndeploy: %s\n' "$*" >&2; }
run() { printf '+ %s\n' "$*" >&2; [ -n "$dry" ] || "$@"; }
export PATH="$root/.venv/bin:$root/.venv-sam/bin:$root/.venv-aws/bin:$root/scripts/ask-cli/node_modules/.bin:$PATH"

[ -n "$dry" ] || scripts/deploy-setup.sh all

skill_id="$(backcare skill-id --profile "$profile" 2>/dev/null || true)"
if [ -z "$skill_id" ]; then
  say "1. no skill id for profile $profile: creating the skill (no endpoint, no events yet)"
  run backcare package --first-deploy --profile "$profile"
  run ask deploy --target skill-metadata --profile "$profile"
  skill_id="$(backcare skill-id --profile "$profile" 2>/dev/null || true)"
  if [ -z "$skill_id" ]; then
    [ -n "$dry" ] || { echo "deploy: ask deploy did not record a skill id in .ask/ask-states.json" >&2; exit 1; }
    skill_id="amzn1.ask.skill.DRY-RUN"
  fi
else
  say "1. the skill exists: $skill_id"
fi

say "2. the function, table and audio bucket in: ${regions//,/ }"
run sam build
IFS=, read -r -a region_list <<< "$regions"
for region in "${region_list[@]}"; do
  run sam deploy --config-env "$region" "${confirm[@]}" --parameter-overrides "SkillId=$skill_id" "${overrides[@]}"
done

say "3. the skill's regional endpoints and events"
run backcare package --from-stacks --regions "$regions" --profile "$profile" "${package_flags[@]}"
run ask deploy --target skill-metadata --profile "$profile"
run ask smapi set-skill-enablement --skill-id "$skill_id" --stage development --profile "$profile"
say "done: say \"Alexa, open back care coach\" on a device signed in with your developer account, or use the Test tab."
