# Every target installs what it needs into .venv first, so a fresh clone needs only python3.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo test check lint generate bench clean

$(STAMP): pyproject.toml generated/pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e ./generated
	touch $(STAMP)

install: $(STAMP)

## The main job: regenerate, run every documented example end to end on the mock, then
## fuzz every rule of every model against the mock and print the coverage table.
demo: $(STAMP)
	$(BIN)/apimart generate
	$(BIN)/apimart demo
	$(BIN)/apimart contract

## The whole test suite (what CI runs).
test: $(STAMP)
	$(BIN)/python -m pytest

## Static checks of the generated package and the generator.
check: $(STAMP)
	$(BIN)/apimart generate --check
	$(BIN)/apimart lint
	$(BIN)/ruff check generator generated tests contract_tests bench
	$(BIN)/ruff format --check generated
	$(BIN)/mypy --strict generated/apimart

generate: $(STAMP)
	$(BIN)/apimart generate

lint: $(STAMP)
	$(BIN)/apimart lint

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	for f in bench/*_bench.py; do $(BIN)/python $$f || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .hypothesis
