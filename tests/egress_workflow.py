"""A full Enclave workflow in a fresh process, for the no-egress tests.

Run as ``python -m tests.egress_workflow [FOLDER]`` with ENCLAVE_HOME set. It goes offline
exactly as the app does (the in-process guard, then the kernel's empty network namespace unless
ENCLAVE_OFFLINE_ENFORCEMENT=off), loads the model and answers, ingests the sample documents,
answers from them, redacts a document and summarizes a contract; given a FOLDER it first ingests
every document in it and asks about them, which keeps the embedder busy for minutes. It prints
one JSON line with the egress guard's record and the process's offline mode, so the caller can
assert that nothing even tried to leave the machine.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from app.egress import go_offline

if TYPE_CHECKING:
    from app.services import Services


def main() -> int:
    guard = go_offline()
    from app.network_isolation import enter_offline_namespace, network_namespace

    mode = enter_offline_namespace()
    from app.cli.selftest_commands import STEPS
    from app.contracts import summarize_contract
    from app.paths import DataPaths
    from app.services import build_services
    from app.settings import updated
    from models.prompts import PromptRequest
    from models.runtime import GenerationOptions

    services = build_services(DataPaths.default())
    services.settings = updated(services.settings, "llm", max_tokens=32)
    services.models.ensure_loaded()
    request = PromptRequest(services.settings.llm.system_prompt, "What is a contract?")
    answer = "".join(services.runtime.stream(request, GenerationOptions(max_tokens=16)))
    folder_report = _ingest_folder_and_ask(services, Path(sys.argv[1])) if len(sys.argv) > 1 \
        else {}
    with tempfile.TemporaryDirectory() as folder:
        steps = {name: step(services, Path(folder)) for name, step in STEPS}
        contract = Path(folder) / "samples" / "services_agreement.md"
        summary = summarize_contract(contract)
    services.close()
    report = {
        "answer_chars": len(answer),
        "steps": steps,
        "contract_fields_found": sum(1 for field in summary.fields if field.found),
        "guard_installed": guard.installed,
        "attempts": [f"{a.event} {a.destination}" for a in guard.attempts],
        "enforced_by_os": mode.enforced_by_os,
        "offline_detail": mode.detail,
        "network_namespace": network_namespace(),
        **folder_report,
    }
    print(json.dumps(report))
    return 0


def _ingest_folder_and_ask(services: Services, folder: Path) -> dict[str, object]:
    """The long part: every document of ``folder`` through the real ingest, then a question."""
    report = services.library().ingest(sorted(folder.iterdir()), workspace="sustained")
    answer = services.chat().ask("Which state's law governs the agreement?",
                                 workspace="sustained")
    return {"folder_indexed": report.count("indexed"), "folder_chunks": report.chunks,
            "folder_answer_sources": len(answer.sources)}


if __name__ == "__main__":
    sys.exit(main())
