"""A full Enclave workflow in a fresh process, for the no-egress tests.

Run as ``python -m tests.egress_workflow`` with ENCLAVE_HOME set. It goes offline exactly as
the app does, loads the model and answers, ingests the sample documents, answers from them,
redacts a document and summarizes a contract, then prints one JSON line with the egress guard's
record so the caller can assert that nothing even tried to leave the machine.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from app.egress import go_offline


def main() -> int:
    guard = go_offline()
    from app.cli.selftest_commands import STEPS
    from app.contracts import summarize_contract
    from app.paths import DataPaths
    from app.services import build_services
    from app.settings import updated
    from models.prompts import PromptRequest
    from models.runtime import GenerationOptions

    services = build_services(DataPaths.default())
    services.settings = updated(services.settings, "llm", max_tokens=32)
    services.ensure_model_loaded()
    request = PromptRequest(services.settings.llm.system_prompt, "What is a contract?")
    answer = "".join(services.runtime.stream(request, GenerationOptions(max_tokens=16)))
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
    }
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
