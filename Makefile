# Two commands a new user needs: `make shell` (try the bot locally) and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: install shell test bench

$(BIN)/nudgebot: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@

install: $(BIN)/nudgebot

shell: install
	$(BIN)/nudgebot shell

test: install
	$(BIN)/python -m pytest

bench: install
	$(BIN)/python benchmarks/classify_throughput.py
	$(BIN)/python benchmarks/slack_ack.py
	$(BIN)/python benchmarks/import_throughput.py
	$(BIN)/python benchmarks/digest_build.py
