"""``enclave selftest``: the end-to-end check the installer runs before it reports success.

It works in a throw-away data directory, so the user's workspaces are never touched: the
installation checks (models, egress guard), then ingest of the sample documents, one answer
with sources, and one redacted export that must hold none of the sample's identifiers.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from app.egress import guard
from app.paths import DataPaths
from app.samples import copy_samples
from app.services import Services, build_services
from app.settings import updated
from core.errors import EnclaveError

WORKSPACE = "self-test"
QUESTION = "How much notice is needed to terminate the agreement for convenience?"
# Identifiers written into the fictional patient intake form; none may survive redaction.
SAMPLE_IDENTIFIERS = ("Eleanor J. Marsh", "555-0193", "eleanor.marsh@example.com")

Step = Callable[[Services, Path], str]


def register(subcommands: Any) -> None:
    parser = subcommands.add_parser("selftest", help="check that everything works, offline")
    parser.set_defaults(handler=run_selftest)


def check_installation(services: Services, scratch: Path) -> str:
    info = services.models.active()
    if not services.catalog.verify(info):
        raise EnclaveError(f"the embedded model {info.id} does not match its checksum")
    if not guard().installed:
        raise EnclaveError("the egress guard is not installed")
    return f"model {info.id} verified, egress guard on"


def check_ingest(services: Services, scratch: Path) -> str:
    report = services.library().ingest(copy_samples(scratch), workspace=WORKSPACE)
    indexed = report.count("indexed")
    if indexed != len(report.results):
        raise EnclaveError(f"only {indexed} of {len(report.results)} samples were indexed")
    return f"{indexed} sample documents indexed, {report.chunks} passages"


def check_answer(services: Services, scratch: Path) -> str:
    answer = services.chat().ask(QUESTION, workspace=WORKSPACE)
    if not answer.sources or not answer.text.strip():
        raise EnclaveError("no answer with sources came back from the sample workspace")
    return f"answered from {len(answer.sources)} sources"


def check_redaction(services: Services, scratch: Path) -> str:
    from app.privacy.export import export_redacted

    source = scratch / "samples" / "patient_intake.md"
    output = scratch / "patient_intake.redacted.md"
    report = export_redacted(source, output, services.pii_analyzer(), services.privacy_policy())
    text = output.read_text(encoding="utf-8")
    leaked = [value for value in SAMPLE_IDENTIFIERS if value in text]
    if leaked or report.total == 0:
        raise EnclaveError(f"the redacted copy still holds {len(leaked)} sample identifiers")
    return f"{report.total} identifiers redacted, none left"


STEPS: tuple[tuple[str, Step], ...] = (
    ("installation", check_installation), ("ingest", check_ingest),
    ("answer", check_answer), ("redaction", check_redaction),
)


def run_selftest(args: argparse.Namespace, services: Services) -> int:
    with tempfile.TemporaryDirectory(prefix="enclave-selftest-") as folder:
        scratch = Path(folder)
        isolated = build_services(DataPaths(scratch / "data"), runtime=services.runtime)
        # A short answer proves the pipeline as well as a long one does.
        isolated.settings = updated(isolated.settings, "llm", max_tokens=48)
        try:
            return _run_steps(isolated, scratch)
        finally:
            isolated.close()


def _run_steps(services: Services, scratch: Path) -> int:
    for name, step in STEPS:
        started = time.perf_counter()
        try:
            detail = step(services, scratch)
        except EnclaveError as error:
            print(f"FAIL {name}: {error.message}")
            return 1
        print(f"PASS {name}: {detail} ({time.perf_counter() - started:.1f} s)")
    print("Self-test passed.")
    return 0
