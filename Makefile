# RSVP desk — everything runs from a fresh clone with Python 3.11+ and no AWS account.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml functions/requirements.txt | cksum | cut -d' ' -f1)
# sam build needs python3.13 (the Lambda runtime) on PATH; pyenv provides it on these machines.
SAM_VENV ?= .venv-sam
# checkov has its own venv: its pins conflict with cfn-lint's in .venv. Pinned, so new checks arrive
# by a deliberate bump, not in the middle of someone's CI run.
CHECKOV_VENV ?= .venv-checkov
CHECKOV_VERSION ?= 3.3.30
CHECKOV_STAMP := $(CHECKOV_VENV)/.installed-$(CHECKOV_VERSION)
# Offline: no update check, no Prisma Cloud / Bridgecrew platform (guidelines, ID mappings, policies).
CHECKOV := env CKV_SKIP_PACKAGE_UPDATE_CHECK=true BC_SKIP_MAPPING=TRUE $(CHECKOV_VENV)/bin/checkov \
	--skip-download --framework cloudformation --compact --quiet
CAMPAIGN_INVITEES ?= 10000
DIGEST_INVITEES ?= 20000
export PYENV_VERSION ?= 3.11.7:3.13.0
export SAM_CLI_TELEMETRY = 0

.PHONY: help install demo test lint typecheck cfn unit sam checkov bench score clean

help:
	@echo "make demo   - create .venv, install, run the whole loop locally on moto (see demo-out/)"
	@echo "make test   - lint, type-check, cfn-lint and the test suite"
	@echo "make sam    - sam validate --lint and sam build (installs aws-sam-cli into $(SAM_VENV))"
	@echo "make checkov - checkov on template.yaml, offline (installs checkov into $(CHECKOV_VENV))"
	@echo "make bench  - reader speed, quote strippers, invitation rendering, a 10,000-invitee campaign,"
	@echo "              the digest of a 20,000-invitee meeting, AWS calls per reply, cold start"
	@echo "make score  - score the reply reader on every labelled set (../shared/corpus/replies*, tests/fixtures/*)"
	@echo "              against tests/reader_targets.toml, and how often a committed reading is right per confidence"

$(STAMP):
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/rsvp demo --out demo-out

lint: $(STAMP)
	$(BIN)/ruff check functions tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

cfn: $(STAMP)
	$(BIN)/cfn-lint template.yaml

unit: $(STAMP)
	$(BIN)/pytest

test: lint typecheck cfn unit

$(SAM_VENV)/bin/sam:
	$(PYTHON) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/pip install --quiet --upgrade pip
	$(SAM_VENV)/bin/pip install --quiet aws-sam-cli

sam: $(SAM_VENV)/bin/sam $(STAMP)
	$(SAM_VENV)/bin/sam validate --lint --region eu-west-1
	$(SAM_VENV)/bin/sam build
	$(BIN)/python -m bench.package_size

$(CHECKOV_STAMP):
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/pip install --quiet --upgrade pip
	$(CHECKOV_VENV)/bin/pip install --quiet checkov==$(CHECKOV_VERSION)
	rm -f $(CHECKOV_VENV)/.installed-*
	touch $(CHECKOV_STAMP)

# checkov leaves out a resource whose Condition is false with the parameters' defaults, so the template
# is also scanned as deployed with ActivateRuleSet=true (the rule-set activator function). Every
# finding is fixed or skipped in the template itself, with its reason (Metadata: checkov: skip).
checkov: $(CHECKOV_STAMP)
	@mkdir -p build
	sed '/^  ActivateRuleSet:/,/^    Default:/s/Default: "false"/Default: "true"/' template.yaml \
		> build/template-activate-rule-set.yaml
	grep -A2 '^  ActivateRuleSet:' build/template-activate-rule-set.yaml | grep -q 'Default: "true"'
	$(CHECKOV) -f template.yaml -f build/template-activate-rule-set.yaml

bench: $(STAMP)
	$(BIN)/python -m bench.reader_speed
	$(BIN)/python -m bench.quote_strippers
	$(BIN)/python -m bench.invitations
	$(BIN)/python -m bench.campaign --invitees $(CAMPAIGN_INVITEES)
	$(BIN)/python -m bench.digest --invitees $(DIGEST_INVITEES)
	$(BIN)/python -m bench.fuzz
	$(BIN)/python -m bench.hostile
	$(BIN)/python -m bench.model_reader
	$(BIN)/python -m bench.aws_calls
	$(BIN)/python -m bench.cold_start

score: $(STAMP)
	$(BIN)/python -m tests.scores

clean:
	rm -rf .aws-sam build demo-out .pytest_cache .mypy_cache .ruff_cache
