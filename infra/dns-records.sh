#!/usr/bin/env bash
# Print the DNS records the deployed stack needs (MX for receiving, DKIM CNAMEs for sending).
# Usage: infra/dns-records.sh STACK_NAME
set -euo pipefail
stack=${1:?usage: $0 STACK_NAME}
region=$(aws configure get region || echo "${AWS_REGION:-}")
output() {
  aws cloudformation describe-stacks --stack-name "$stack" \
    --query "Stacks[0].Outputs[?OutputKey=='$1'].OutputValue" --output text
}
mailbox=$(output Mailbox)
domain=${mailbox#*@}
echo "; receiving"
echo "$domain. MX 10 inbound-smtp.$region.amazonaws.com."
echo "; sending (SPF, DMARC: adapt the policy to your organisation)"
echo "$domain. TXT \"v=spf1 include:amazonses.com ~all\""
echo "_dmarc.$domain. TXT \"v=DMARC1; p=quarantine; rua=mailto:dmarc@$domain\""
echo "; Easy DKIM"
output DkimRecords | tr ';' '\n' | sed -n 's/^ *\([^=]*\)=\(.*\)$/\1. CNAME \2./p'
