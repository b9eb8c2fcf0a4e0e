# Every target bootstraps .venv on first use (and again when pyproject.toml changes).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench clean i18n docs

# The browser suite's JavaScript (axe-core) comes from npm into tests/browser/node_modules, locked by its package-lock.json.
BROWSER := tests/browser

$(STAMP): pyproject.toml $(BROWSER)/package.json $(wildcard $(BROWSER)/package-lock.json)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	if [ -f $(BROWSER)/package-lock.json ]; then npm ci --prefix $(BROWSER) --no-audit --no-fund; \
	else npm install --prefix $(BROWSER) --no-audit --no-fund; fi
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/flask --app paypage demo

# The dependency audit fails on a known vulnerability. Where the vulnerability service cannot be reached (a
# network that only mirrors the package index) it warns for every package it could not check and goes on;
# INKASSO_REQUIRE_AUDIT=1 (release builds) makes an unchecked package fail too, INKASSO_OFFLINE=1 skips the audit.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	cd plugins/django-oscar-inkasso && ../../$(BIN)/mypy
	@if [ "$$INKASSO_OFFLINE" = "1" ]; then echo "pip-audit SKIPPED (INKASSO_OFFLINE=1): dependencies not checked for known vulnerabilities"; \
	else $(BIN)/pip-audit --skip-editable --progress-spinner off $$( [ "$$INKASSO_REQUIRE_AUDIT" = "1" ] && echo --strict ) || { \
	echo "pip-audit failed: a dependency has a known vulnerability$$( [ "$$INKASSO_REQUIRE_AUDIT" = "1" ] && echo ', or could not be checked' ) (see above)" >&2; exit 1; }; fi

test: lint
	$(BIN)/pytest

bench: $(STAMP)
	$(BIN)/python bench/api_submit.py
	$(BIN)/python bench/sdk_overhead.py
	$(BIN)/python bench/webhooks.py
	$(BIN)/python bench/paypage.py
	$(BIN)/python bench/portal.py
	$(BIN)/python bench/engine.py
	$(BIN)/python bench/load.py
	$(BIN)/python bench/intents.py
	$(BIN)/python bench/encryption.py
	$(BIN)/python bench/propensity.py
	$(BIN)/python bench/csv_import.py
	$(BIN)/python bench/strategy.py

# Extract the strings of templates and code into locales/messages.pot and merge them into every catalog.
i18n: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _ -k gettext -k ngettext:1,2 --no-location --sort-output --omit-header -o locales/messages.pot .
	$(BIN)/pybabel update -i locales/messages.pot -d locales -D messages --no-fuzzy-matching --ignore-obsolete

docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict -d site

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache dist build site
