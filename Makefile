# Tunewise: every target is one line. `make run` and `make test` work on a fresh machine.
VENV    ?= .venv
PY      := $(VENV)/bin/python
PYTEST  := $(VENV)/bin/pytest

.PHONY: run test test-slow test-lighthouse test-postgres lint migrate bench mutation

$(PY):                                   # create the virtual environment if missing
	python3 -m venv $(VENV)

$(VENV)/.app: pyproject.toml | $(PY)    # install the app (re-run when pyproject.toml changes)
	$(PY) -m pip install -q --disable-pip-version-check -e . && touch $@

$(VENV)/.test: pyproject.toml | $(PY)   # install the app with its test dependencies
	$(PY) -m pip install -q --disable-pip-version-check -e '.[test]' && touch $@ $(VENV)/.app

run: $(VENV)/.app                        # migrate the embedded SQLite database, then serve on 127.0.0.1:8000
	$(VENV)/bin/tunewise migrate && $(VENV)/bin/tunewise serve

migrate: $(VENV)/.app                    # upgrade the database schema only
	$(VENV)/bin/tunewise migrate

OIDC_PROVIDER := tests/e2e/oidc/node_modules/.installed
$(OIDC_PROVIDER): tests/e2e/oidc/package-lock.json  # the OpenID provider the single sign-on tests start (npm, pinned)
	npm ci --prefix tests/e2e/oidc --no-audit --no-fund --loglevel=error && touch $@

test: $(VENV)/.test $(OIDC_PROVIDER)     # the whole default suite (engine, routes, migrations, browser)
	$(PYTEST)

test-slow: $(VENV)/.test                 # load and fault suites (bounded, loopback only; .ci/run runs them)
	$(PYTEST) -m "load or faults" -s

LIGHTHOUSE := tests/lighthouse/node_modules/.installed
$(LIGHTHOUSE): tests/lighthouse/package-lock.json  # Lighthouse, pinned (npm); it drives Debian's Chromium
	npm ci --prefix tests/lighthouse --no-audit --no-fund --loglevel=error && touch $@

test-lighthouse: $(VENV)/.test $(LIGHTHOUSE)  # Lighthouse scores of the landing page, a step and a report (.ci/run)
	$(PYTEST) -m lighthouse -s

lint: $(VENV)/.test                      # type-check app/ (mypy --strict) and lint everything (ruff, line length included)
	$(VENV)/bin/mypy && $(VENV)/bin/ruff check app tests bench migrations

bench: $(VENV)/.test                     # speed, memory and page weight side by side with a bare Starlette app
	$(PY) -m bench.run

mutation: $(VENV)/.test                  # mutmut over app/engine with the engine tests, from scratch; per-module table (README)
	rm -rf mutants && $(VENV)/bin/mutmut run --max-children 2; $(PY) -m tests.mutation_report --min 90
