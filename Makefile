# Enclave developer commands. Every target sets the environment up first (fast when done).
VENV := .venv
PY := $(VENV)/bin/python
PYTEST_ARGS ?=

.PHONY: setup run test bench lint installer clean

setup:
	@bash installers/setup_env.sh

run: setup
	$(VENV)/bin/enclave gui

test: setup
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest $(PYTEST_ARGS)

bench: setup
	$(PY) -m tests.bench.bench_runtime

lint: setup
	$(VENV)/bin/ruff check app ui rag models installers tests
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

clean:
	rm -rf $(VENV) .cache .pytest_cache .mypy_cache .ruff_cache
