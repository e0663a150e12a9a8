# `make preflight` (the offline policy verdict) and `make test`; both create ./venv when missing.
PYTHON ?= python3
VENV   := venv
PY     := $(VENV)/bin/python
STACK  ?= dev
FORMAT ?= text
MODE   ?= preview
# A stack's own pack config, else its environment's: prod-orders (a service stack of the prod layout) uses prod.json.
PACK_CONFIG = $(firstword $(wildcard policies/config/$(STACK).json) policies/config/$(firstword $(subst -, ,$(STACK))).json)

.PHONY: preflight test bench docs clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

preflight: $(VENV)/.installed
	$(PY) -m preflight --stack $(STACK) --policy-pack-config $(PACK_CONFIG) --format $(FORMAT) --mode $(MODE)

test: $(VENV)/.installed
	$(PY) -m pytest

bench: $(VENV)/.installed
	$(PY) bench/policy_throughput.py
	$(PY) bench/preflight_scale.py

docs: $(VENV)/.installed
	$(PY) scripts/gen_rule_docs.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
