# make run   — set up everything and start the portal on the embedded default (SQLite, in-process worker)
# make test  — set up everything and run the whole test suite
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
ADDR ?= 127.0.0.1:8000

.PHONY: run test setup system-packages assets messages bench lint migrate demo

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e '.[dev]'
	touch $(STAMP)

system-packages:
	@scripts/system-packages.sh

# Compiled translations are build output (not in git): made from locale/*/LC_MESSAGES/django.po.
messages: system-packages $(STAMP)
	@if ls locale/*/LC_MESSAGES/django.po >/dev/null 2>&1; then $(PY) manage.py compilemessages -v0 --ignore=.venv --ignore=node_modules --ignore=var; fi

# Browser packages (bpmn-js draws the case page's diagram), reinstalled when package-lock.json changes.
node_modules/.installed-stamp: package-lock.json
	npm ci --no-audit --no-fund
	touch $@

assets: node_modules/.installed-stamp

setup: system-packages $(STAMP) assets messages

migrate: setup
	$(PY) manage.py migrate --noinput -v0

demo: migrate
	$(PY) manage.py load_jurisdictions
	$(PY) manage.py deploy_workflows
	$(PY) manage.py create_test_pki --if-missing
	$(PY) manage.py load_demo_users
	$(PY) manage.py load_programs
	$(PY) manage.py load_demo_cases

run: demo
	@echo "Portal: http://$(ADDR)/  (demo logins above; Django admin at /admin/)"
	$(PY) manage.py run_portal $(ADDR)

test: setup
	$(PY) -m pytest $(PYTEST_ARGS)

bench: setup
	$(PY) -m bench.engine
	$(PY) -m bench.records

lint: setup
	$(VENV)/bin/ruff check .
