# The two commands of the README: `make run` and `make test`. Everything else is a step of them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PORT ?= 5000
export FLASK_APP := wsgi.py

.PHONY: run test setup install compile-translations translations db lint clean bench wrk

run: setup
	$(BIN)/flask run --host 127.0.0.1 --port $(PORT)

test: setup
	$(BIN)/pytest

setup: install compile-translations db

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Python 3.11 or newer is needed")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The ru/en/zh catalogs, and the pseudo-locale qps made from the English one (webapp/pseudo.py).
compile-translations: install
	$(BIN)/python -m webapp.pseudo translations
	$(BIN)/pybabel compile -d translations

# Extract every string with where it is used (#:) and its TRANSLATORS: comment (#.), merge it
# into the ru/en/zh catalogs, then make the pseudo-locale and compile them all. The keywords are
# tests/test_catalogs.py's KEYWORDS.
translations: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k ngettext:1,2 -k lazy_ngettext:1,2 \
		-k pgettext:1c,2 -k lazy_pgettext:1c,2 -k npgettext:1c,2,3 -c TRANSLATORS: \
		--sort-output --project topup-sandbox -o translations/messages.pot .
	for lang in ru en zh; do \
	  $(BIN)/pybabel update -i translations/messages.pot -d translations -l $$lang \
	    --no-fuzzy-matching --ignore-obsolete; \
	done
	$(MAKE) compile-translations

db: install compile-translations
	$(BIN)/flask db upgrade
	$(BIN)/flask demo seed

lint: install
	$(BIN)/ruff check webapp tests bench
	$(BIN)/ruff format --check webapp tests

# Pages against a bare Flask app, card payments, settlement, balance reads (README, Performance).
# BENCH_DATABASE_URL=postgresql+psycopg://…/bench adds PostgreSQL (that database is emptied).
bench: setup wrk
	$(BIN)/python -m bench

wrk:
	@command -v wrk >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    DEBIAN_FRONTEND=noninteractive apt-get update -qq && apt-get install -y -qq wrk >/dev/null; \
	  else \
	    echo "make bench needs wrk (the HTTP load generator): sudo apt-get install wrk" >&2; \
	    exit 1; \
	  fi; }

clean:
	rm -rf $(VENV) instance
