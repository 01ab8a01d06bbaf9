# Every target installs what it needs into .venv first, so a fresh clone needs only python3.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo test check lint generate bench clean

# The client first: the generator requires exactly the client of its release (setup.py), which
# is no package on an index but generated/ here.
$(STAMP): pyproject.toml setup.py generated/pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip 'setuptools>=69'
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e ./generated
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## The main job: regenerate, run every documented example end to end on the mock, then
## fuzz every rule of every model against the mock and print the coverage table.
demo: $(STAMP)
	$(BIN)/apimart generate
	$(BIN)/apimart demo
	$(BIN)/apimart contract

## The whole test suite (what CI runs), on every core.
test: $(STAMP)
	$(BIN)/python -m pytest -n auto

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

## One table per goal of the speed issue, each peer measured in the same run; every
## bench/*_bench.py runs, so a new benchmark joins by its name.
bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	for f in bench/*_bench.py; do $(BIN)/python $$f || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .hypothesis
