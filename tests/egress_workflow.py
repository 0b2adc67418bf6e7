"""A full Enclave workflow in a fresh process, for the no-egress tests.

Run as ``python -m tests.egress_workflow`` with ENCLAVE_HOME set. It goes offline exactly as
the app does, exercises every feature that exists, and prints one JSON line with the egress
guard's record, so the caller can assert that nothing even tried to leave the machine.
"""

from __future__ import annotations

import json
import sys

from app.egress import go_offline


def main() -> int:
    guard = go_offline()
    from app.paths import DataPaths
    from app.services import build_services
    from models.prompts import PromptRequest
    from models.runtime import GenerationOptions

    services = build_services(DataPaths.default())
    services.ensure_model_loaded()
    request = PromptRequest(services.settings.llm.system_prompt, "What is a contract?")
    answer = "".join(services.runtime.stream(request, GenerationOptions(max_tokens=16)))
    services.close()
    report = {
        "answer_chars": len(answer),
        "guard_installed": guard.installed,
        "attempts": [f"{a.event} {a.destination}" for a in guard.attempts],
    }
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
