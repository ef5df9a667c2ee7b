#!/usr/bin/env bash
# Activate the stack's SES receipt rule set (the CLI alternative to ActivateRuleSet=true).
# Usage: infra/activate-rule-set.sh STACK_NAME [--yes]
set -euo pipefail
stack=${1:?usage: $0 STACK_NAME [--yes]}
name=$(aws cloudformation describe-stacks --stack-name "$stack" \
  --query "Stacks[0].Outputs[?OutputKey=='ReceiptRuleSetName'].OutputValue" --output text)
active=$(aws ses describe-active-receipt-rule-set --query 'Metadata.Name' --output text 2>/dev/null || true)
echo "Stack rule set:      $name"
echo "Currently active:    ${active:-none}"
if [ "$active" = "$name" ]; then echo "Already active."; exit 0; fi
if [ -n "$active" ] && [ "$active" != "None" ] && [ "${2:-}" != "--yes" ]; then
  echo "Activating $name deactivates $active (one active rule set per region). Re-run with --yes." >&2
  exit 1
fi
aws ses set-active-receipt-rule-set --rule-set-name "$name"
echo "Activated $name."
