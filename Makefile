# Everything a newcomer needs: `make run` (local stack) and `make test` (every check).
# Both set up what they need themselves: a venv for the app (.venv) and one for the
# template tools (.venv-tools), each rebuilt only when its requirements change.

SHELL := bash
PYTHON ?= python3.13
VENV := .venv
TOOLS := .venv-tools
EMULATOR := .venv-emulator
PY := $(VENV)/bin/python
export SAM_CLI_TELEMETRY := 0
export AWS_DEFAULT_REGION ?= us-east-1
export PIP_DISABLE_PIP_VERSION_CHECK := 1
APP_PATH = $(shell $(PYTHON) scripts/import_roots.py)  # pyproject.toml's import-roots

.PHONY: help install run test lint typecheck template tests unit integration checks e2e build deploy
.PHONY: outputs stack-env lock cost send clean
.PHONY: format replay-rejected bench fuzz reviewer chromium

help:
	@echo "make run              the template deployed on a local AWS emulator (PORT, default 4566); ready <API URL>"
	@echo "make test             every check: lint, typecheck, template, every test tier with coverage, build"
	@echo "make lint             ruff check and format check (complexity at most 10)"
	@echo "make typecheck        mypy, strict"
	@echo "make template         sam validate --lint, cfn-lint, checkov (default and all-options variants)"
	@echo "make tests            every test tier with coverage (make test runs it)"
	@echo "make unit             the unit tier (tests/unit: needs nothing; seconds): the quick loop"
	@echo "make integration      the integration tier (tests/integration: moto in-process)"
	@echo "make checks           the checks of template, docs and build (tests/checks)"
	@echo "make e2e              the end-to-end tier (tests/e2e: deploys the local stack once)"
	@echo "make fuzz             the nothing-lost property tests, large random budget (EXAMPLES=3000)"
	@echo "make build            sam build (arm64 wheels + bytecode) and its check, ready for sam deploy"
	@echo "make deploy           build, then sam deploy the dev stack (ENV=prod for prod; REGION=, ARGS=)"
	@echo "make outputs          the deployed stack's outputs (ENV=dev|prod)"
	@echo "make stack-env        the outputs as shell exports: eval \"\$$(make -s stack-env)\""
	@echo "make lock             refresh the layer's lock file (hashes) after changing its requirements"
	@echo "make cost             what a million callbacks cost, from public prices and the stack's figures"
	@echo "make send             send an example callback, signed like its vendor (VENDOR=, EVENT=, KIND=, URL=)"
	@echo "make reviewer         add a reviewer to the review desk (EMAIL=, ENV=dev|prod|local; PASSWORD= optional)"
	@echo "make bench            cold starts, warm cost, AWS calls, memory; per-vendor overhead <= 10%"
	@echo "make replay-rejected  re-run stored rejected callbacks (ARGS=\"--table ... [--apply]\")"
	@echo "make format           ruff format and autofix"
	@echo "make install          set up both venvs without running anything"
	@echo "make chromium         install Debian's chromium for the browser test (make test does it)"
	@echo "make clean            remove build output and caches"

$(VENV)/.installed: requirements-dev.txt layers/common/requirements.txt layers/common/requirements.lock
	@echo "--- setting up $(VENV) ($(PYTHON))" >&2
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet -r requirements-dev.txt
	touch $@

$(TOOLS)/.installed: requirements-tools.txt
	@echo "--- setting up $(TOOLS) (sam, cfn-lint, checkov; takes a few minutes the first time)" >&2
	rm -rf $(TOOLS)
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet -r requirements-tools.txt
	touch $@

$(EMULATOR)/.installed: requirements-emulator.txt
	@echo "--- setting up $(EMULATOR) (the local AWS emulator, MiniStack)" >&2
	rm -rf $(EMULATOR)
	$(PYTHON) -m venv $(EMULATOR)
	$(EMULATOR)/bin/pip install --quiet -r requirements-emulator.txt
	touch $@

install: $(VENV)/.installed $(TOOLS)/.installed $(EMULATOR)/.installed

# The real template on the emulator: built for this machine (cached), deployed with sam deploy
# --config-env local, then `ready <API base URL>` (local/local_stack, docs/LOCAL.md)
run: $(VENV)/.installed $(TOOLS)/.installed $(EMULATOR)/.installed
	@PYTHONPATH=$(APP_PATH) $(PY) -m local_stack

test: lint typecheck template tests build
	@echo "--- all checks passed"

lint: $(VENV)/.installed
	@echo "--- ruff"
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(VENV)/.installed
	@echo "--- mypy"
	$(VENV)/bin/mypy

template: $(TOOLS)/.installed $(VENV)/.installed
	@echo "--- sam validate --lint, cfn-lint, checkov"
	$(TOOLS)/bin/sam validate --lint --template template.yaml
	$(TOOLS)/bin/cfn-lint template.yaml
	$(TOOLS)/bin/checkov --quiet --compact --skip-download --framework cloudformation -f template.yaml
	@# checkov leaves out resources whose condition is false with the default parameters:
	@# scan again with every optional part switched on
	$(PY) scripts/template_variant.py .aws-sam/variants/all-on/template.yaml \
	  EnableHttpFrontDoor=true EnableSnapStart=true EnableWaf=true \
	  AllowedSourceCidrs=203.0.113.0/24 AlarmEmail=ops@example.com
	$(TOOLS)/bin/checkov --quiet --compact --skip-download --framework cloudformation \
	  -f .aws-sam/variants/all-on/template.yaml

# The test tiers, named for what they need (tests/conftest.py); `tests` runs them all, with coverage.
tests: $(VENV)/.installed $(TOOLS)/.installed $(EMULATOR)/.installed chromium
	@echo "--- pytest: unit, integration, checks, end-to-end"
	$(PY) -m pytest --cov --cov-report=term

unit: $(VENV)/.installed
	$(PY) -m pytest tests/unit -q

integration: $(VENV)/.installed
	$(PY) -m pytest tests/integration

checks: $(VENV)/.installed $(TOOLS)/.installed
	$(PY) -m pytest tests/checks

e2e: $(VENV)/.installed $(TOOLS)/.installed $(EMULATOR)/.installed chromium
	$(PY) -m pytest tests/e2e

# Debian's chromium, which the review desk's browser test drives headless (Playwright, with
# executable_path: Playwright downloads no browser); installed with apt-get when missing.
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
chromium:
	@command -v chromium >/dev/null || { \
	  echo "--- installing chromium (Debian package) for the review desk's browser test" >&2; \
	  $(SUDO) apt-get update -q && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; }

# The invariant's property tests with a larger random budget than make test's repeatable one:
#   make fuzz              (3000 bodies per property, about 4 minutes)
#   make fuzz EXAMPLES=20000
EXAMPLES ?= 3000
fuzz: $(VENV)/.installed
	FUZZ_EXAMPLES=$(EXAMPLES) FUZZ_RANDOM=1 POWERTOOLS_LOG_LEVEL=CRITICAL \
	  $(PY) -m pytest tests/integration/test_property_invariant.py -s -q -p no:cacheprovider

# sam build itself ships the fast build (BuildMethod: makefile: layers/common/Makefile and
# functions/Makefile); this target runs it and checks what it left.
build: $(TOOLS)/.installed $(VENV)/.installed
	@echo "--- sam build (python3.13, arm64 wheels, bytecode; no Docker), then its check"
	PATH="$(abspath $(TOOLS))/bin:$$PATH" sam build --template template.yaml
	$(PY) scripts/check_build.py

# Deploy with the venv's SAM CLI, stack name and region from samconfig.toml:
#   make deploy                     the dev stack ([default]); the first deploy needs no --guided
#   make deploy ENV=prod            [prod]
#   make deploy ARGS="--parameter-overrides AlarmEmail=ops@example.com" REGION=eu-west-1
ENV ?= dev
SAM_CONFIG_ENV = $(if $(filter dev,$(ENV)),default,$(ENV))
deploy: build
	@echo "--- sam deploy --config-env $(SAM_CONFIG_ENV) (samconfig.toml)"
	PATH="$(abspath $(TOOLS))/bin:$$PATH" sam deploy --config-env $(SAM_CONFIG_ENV) \
	  $(if $(REGION),--region $(REGION)) $(ARGS)

# The stack's outputs: a table, or shell variables for the docs' commands
#   make outputs ENV=prod
#   eval "$$(make -s stack-env ENV=prod)"
outputs: $(VENV)/.installed
	PYTHONPATH=$(APP_PATH) $(PY) scripts/stack_env.py --env $(ENV) --table

stack-env: $(VENV)/.installed
	@PYTHONPATH=$(APP_PATH) $(PY) scripts/stack_env.py --env $(ENV)

# Send a vendor's example callback, signed when CALLBACK_KEYS holds its key (scripts/send.py):
#   make send VENDOR=alibaba EVENT=ai-media-audit-complete            (to make run)
#   make send VENDOR=qiniu KIND=censor EVENT=censor
#   make send VENDOR=volcengine EVENT=workflow-complete URL="$$VOLCENGINE_CALLBACK_URL"
send: $(VENV)/.installed
	@PYTHONPATH=$(APP_PATH) $(PY) scripts/send.py "$(VENDOR)" "$(EVENT)" \
	  $(if $(KIND),--kind "$(KIND)") $(if $(URL),--url "$(URL)")

# Add a reviewer to the review desk's user pool, in the group reviewers (docs/REVIEW.md):
#   make reviewer EMAIL=alice@example.com             (Cognito mails a temporary password)
#   make reviewer EMAIL=bob@example.com ENV=local PASSWORD='...'
reviewer: $(VENV)/.installed
	@PYTHONPATH=$(APP_PATH) $(PY) scripts/reviewers.py "$(EMAIL)" --env $(ENV)

# What a million callbacks cost (docs/DEPLOY.md's table; a test holds the two equal)
cost: $(VENV)/.installed
	@PYTHONPATH=$(APP_PATH) $(PY) scripts/cost.py

# The layer's lock file, hashes of every wheel of each pinned version (arm64 included).
# Run after changing layers/common/requirements.txt; `make test` checks the two agree.
lock: $(TOOLS)/.installed
	$(TOOLS)/bin/uv pip compile layers/common/requirements.txt --quiet --generate-hashes \
	  --python-version 3.13 --python-platform aarch64-manylinux_2_28 --no-header \
	  -o layers/common/requirements.lock

# Cold start, warm cost, AWS calls and memory against a floor measured in the same run.
# The functions are built exactly as `make build` does, but for this machine's architecture
# (Lambda's arm64 wheels cannot be imported on x86_64).
HOST_ARCH := $(if $(filter aarch64 arm64,$(shell uname -m)),arm64,x86_64)
HOST_WHEELS := $(if $(filter arm64,$(HOST_ARCH)),aarch64,x86_64)
BENCH_BUILD := .aws-sam/bench-build
BENCH_RUNTIME := .aws-sam/bench-runtime
# what Lambda's runtime provides besides the layer: boto3 and its dependencies only
$(BENCH_RUNTIME)/.installed: requirements-dev.txt $(VENV)/.installed
	rm -rf $(BENCH_RUNTIME)
	$(VENV)/bin/pip install --quiet --target $(BENCH_RUNTIME) \
	  $$(grep -E '^(boto3|botocore)==' requirements-dev.txt)
	$(PY) -m compileall -q -j 0 --invalidation-mode unchecked-hash $(BENCH_RUNTIME)
	touch $@

bench: $(TOOLS)/.installed $(VENV)/.installed $(EMULATOR)/.installed $(BENCH_RUNTIME)/.installed
	@echo "--- sam build for $(HOST_ARCH) into $(BENCH_BUILD) (wheels and bytecode for this machine)"
	sed 's/arm64/$(HOST_ARCH)/g' template.yaml > .bench-template.yaml
	PATH="$(abspath $(TOOLS))/bin:$$PATH" LAMBDA_ARCH=$(HOST_WHEELS) sam build \
	  --template .bench-template.yaml --build-dir $(BENCH_BUILD) --cache-dir .aws-sam/bench-cache \
	  --cached >/dev/null
	BENCH_BUILD=$(BENCH_BUILD) BENCH_RUNTIME=$(BENCH_RUNTIME) $(PY) bench/run.py
	PYTHONPATH=$(APP_PATH) $(PY) bench/deployed.py

# Re-run stored rejected callbacks through the current parser, e.g.
#   make replay-rejected ARGS="--table media-callbacks-prod-ResultsTable-XYZ --since 2026-11-01"
#   make replay-rejected ARGS="--table $$RESULTS_TABLE_NAME --endpoint-url $$AWS_ENDPOINT_URL --apply"
#     (the local stack, after eval "$$(make -s stack-env ENV=local)")
replay-rejected: $(VENV)/.installed
	PYTHONPATH=$(APP_PATH) $(PY) scripts/replay.py $(ARGS)

format: $(VENV)/.installed
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf .aws-sam .pytest_cache .mypy_cache .ruff_cache .coverage
