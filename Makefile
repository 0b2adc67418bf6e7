# Enclave developer commands. Every target sets the environment up first (fast when done).
VENV := .venv
PY := $(VENV)/bin/python
PYTEST_ARGS ?=

.PHONY: setup run test bench eval lint installer installer-test screenshots clean

setup:
	@bash installers/setup_env.sh

run: setup
	$(VENV)/bin/enclave gui

test: setup
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest $(PYTEST_ARGS)

# Benchmarks print ratios against the raw libraries measured in the same run.
bench: setup
	$(PY) -m tests.bench.bench_runtime
	$(PY) -m tests.bench.bench_rag
	$(PY) -m tests.bench.bench_pii
	$(PY) -m tests.bench.bench_startup

# The README's screenshots: 100/125/150 % and a dark palette, each on its own Xvfb (xcb).
screenshots: setup
	$(PY) -m tests.ui.screenshots --out docs/screenshots

# Quality evaluations on the shared data sets (../shared/data); slow.
eval: setup
	$(PY) -m tests.bench.eval_retrieval
	$(PY) -m tests.bench.eval_pii
	$(PY) -m tests.bench.eval_contracts
	$(PY) -m tests.bench.eval_ocr
	$(PY) -m tests.bench.eval_answers $(EVAL_ANSWERS_ARGS)

lint: setup
	$(VENV)/bin/ruff check core app ui rag models installers tests
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

# The offline installer (see README): a signed archive in dist/. SIGNING_KEY=admin.pem to sign
# with the administrator's key; a development key is generated otherwise.
installer: setup
	bash installers/build_installer.sh $(if $(SIGNING_KEY),--signing-key $(SIGNING_KEY)) $(INSTALLER_ARGS)

installer-test: installer
	ENCLAVE_BUNDLE=$$(ls -t dist/enclave-*.tar.gz | head -1) $(PY) -m pytest -q tests/installers

clean:
	rm -rf $(VENV) .cache .pytest_cache .mypy_cache .ruff_cache
