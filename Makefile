# Two commands for a fresh machine: `make run` (serve on 127.0.0.1:8000) and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: setup run test check lint format bench quality clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "fundmatch needs Python 3.11 or newer"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	@touch $@

run: setup
	@mkdir -p -m 700 var
	@test -s var/admin-token || (umask 077; $(BIN)/python -c 'import secrets; print("fm_" + secrets.token_urlsafe(32))' > var/admin-token)
	@echo "Admin token: var/admin-token   API: http://$(HOST):$(PORT)/docs"
	FUNDMATCH_BOOTSTRAP_ADMIN_TOKEN="$${FUNDMATCH_BOOTSTRAP_ADMIN_TOKEN:-$$(cat var/admin-token)}" \
		$(BIN)/fundmatch serve --host $(HOST) --port $(PORT)

test: setup
	$(BIN)/python -m pytest

check: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

quality: setup
	$(BIN)/python benchmarks/quality.py

bench: setup
	$(BIN)/python benchmarks/match.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
