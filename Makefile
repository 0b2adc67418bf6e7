# Enclave developer commands. Every target sets the environment up first (fast when done).
VENV := .venv
PY := $(VENV)/bin/python
PYTEST_ARGS ?=

.PHONY: setup run test bench eval lint installer installer-test installer-proof installer-proof-ubuntu screenshots clean adapter fuzz faults

setup:
	@bash installers/setup_env.sh

run: setup
	$(VENV)/bin/enclave gui

test: setup
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest $(PYTEST_ARGS)

# The fault campaign (issue 29): a full disk at 20 points of ingest, purge, re-embed, history
# save and audit append (a tmpfs in a private mount namespace), kill -9 at 20 random moments of
# ingest and re-embed. `make test` runs a few of each.
faults: setup
	ENCLAVE_FAULTS=full QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q -s tests/faults $(PYTEST_ARGS)

# Benchmarks print ratios against the raw libraries measured in the same run.
bench: setup
	$(PY) -m tests.bench.bench_runtime
	$(PY) -m tests.bench.bench_rag
	$(PY) -m tests.bench.bench_ingest_peer $(BENCH_PEER_ARGS)
	$(PY) -m tests.bench.bench_pii
	$(PY) -m tests.bench.bench_startup

# Fuzz the document readers for FUZZ_MINUTES in all (coverage-guided with atheris, installed
# here on first use; tests/fuzz/run.py). Crashers go to .cache/fuzz/crashers; FUZZ_ARGS for more.
FUZZ_MINUTES ?= 10
fuzz: setup
	$(PY) -c "import atheris" 2>/dev/null || $(PY) -m pip install -q -c constraints.txt atheris
	nice -n 10 $(PY) -m tests.fuzz.run --minutes $(FUZZ_MINUTES) $(FUZZ_ARGS)

# The README's screenshots: 100/125/150 % and a dark palette, each on its own Xvfb (xcb).
screenshots: setup
	$(PY) -m tests.ui.screenshots --out docs/screenshots

# Quality evaluations on the shared data sets (../shared/data); slow.
eval: setup
	$(PY) -m tests.bench.eval_retrieval
	$(PY) -m tests.bench.eval_financebench $(EVAL_FINANCEBENCH_ARGS)
	$(PY) -m tests.bench.eval_pii
	$(PY) -m tests.bench.eval_contracts
	$(PY) -m tests.bench.eval_ocr
	$(PY) -m tests.bench.eval_answers $(EVAL_ANSWERS_ARGS)
	$(PY) -m tests.bench.eval_clauses $(EVAL_CLAUSES_ARGS)
	$(PY) -m tests.bench.bench_answer_latency $(ANSWER_LATENCY_ARGS)

# The grounded-answer LoRA adapter (models/adapters/train.py), trained on this CPU; not in CI.
# Its own environment: the app's packages plus peft; llama.cpp's LoRA converter comes from the
# llama-cpp-python source of the pinned version. ADAPTER_ARGS="--minutes 60" to train longer.
ADAPTER_VENV := .venv-adapter
ADAPTER_OUT := .cache/adapter
LLAMA_CPP_VERSION = $(shell sed -n 's/^llama_cpp_python==//p;s/^llama-cpp-python==//p' constraints.txt)
LLAMA_SOURCE = $(ADAPTER_OUT)/llama_cpp_python-$(LLAMA_CPP_VERSION)/vendor/llama.cpp

adapter: setup
	test -x $(ADAPTER_VENV)/bin/python || \
	  "$$($(PY) -c 'import sys; print(sys._base_executable)')" -m venv $(ADAPTER_VENV)
	$(ADAPTER_VENV)/bin/python -c "import site, sys, pathlib; pathlib.Path(site.getsitepackages()[0], 'enclave-base.pth').write_text(sys.argv[1])" \
	  "$$($(PY) -c 'import site; print(site.getsitepackages()[0])')"
	$(ADAPTER_VENV)/bin/python -c "import peft" 2>/dev/null || $(ADAPTER_VENV)/bin/pip install -q -c constraints.txt peft
	test -f $(LLAMA_SOURCE)/convert_lora_to_gguf.py || ( \
	  $(PY) -m pip download -q --no-deps --no-binary :all: -d $(ADAPTER_OUT)/sdist llama-cpp-python==$(LLAMA_CPP_VERSION) && \
	  tar -xzf $(ADAPTER_OUT)/sdist/llama_cpp_python-$(LLAMA_CPP_VERSION).tar.gz -C $(ADAPTER_OUT) --wildcards \
	    '*/vendor/llama.cpp/convert_lora_to_gguf.py' '*/vendor/llama.cpp/convert_hf_to_gguf.py' \
	    '*/vendor/llama.cpp/conversion/*' '*/vendor/llama.cpp/gguf-py/*' )
	$(ADAPTER_VENV)/bin/python -m models.adapters.train --out $(ADAPTER_OUT) --llama-source $(LLAMA_SOURCE) $(ADAPTER_ARGS)
	$(PY) -m models.adapters.evaluate --adapter $(ADAPTER_OUT)/enclave-grounded-lora.gguf --out $(ADAPTER_OUT)/evaluation.json

lint: setup
	$(VENV)/bin/ruff check core app ui rag models installers tests
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

# The offline installer (see README): a signed archive in dist/. SIGNING_KEY=admin.pem to sign
# with the administrator's key; a development key is generated otherwise.
installer: setup
	bash installers/build_installer.sh $(if $(SIGNING_KEY),--signing-key $(SIGNING_KEY)) $(INSTALLER_ARGS)

installer-test: installer
	ENCLAVE_BUNDLE=$$(ls -t dist/enclave-*-linux-*.tar.gz | head -1) $(PY) -m pytest -q tests/installers

# The newest archive in dist/ (make installer) installed and used on a bare Debian 12 root
# with no network (root; about 30 min on 2 busy cores).
installer-proof:
	bash installers/proof/debian12.sh

# The same archive on a bare Ubuntu 22.04 and 24.04 (install, self-test, question, OCR, window).
installer-proof-ubuntu:
	PROOF_SUITE=jammy bash installers/proof/debian12.sh
	PROOF_SUITE=noble bash installers/proof/debian12.sh

clean:
	rm -rf $(VENV) .cache .pytest_cache .mypy_cache .ruff_cache
