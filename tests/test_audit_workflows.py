"""The audit trail through the real workflows: what each action records, and that no planted
identifier, question or document text reaches it. Real embedder, Chroma, SQLite, Presidio."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.audit import AuditLog, sha256_text
from app.contracts.service import summarize_contract
from app.paths import DataPaths
from app.privacy.analyzer import build_analyzer
from app.services import Lazy, build_services
from rag.embedder import load_embedder
from rag.onnx_export import exported_model
from tests.conftest import FIXTURES, REPO_ROOT
from tests.fake_runtime import FakeRuntime

SSN, NAME = "219-09-4817", "Marguerite Okonkwo"
QUESTION = f"What does the note say about {NAME}, SSN {SSN}, and her metformin dose?"
NOTE = (f"Patient: {NAME}\nSSN on file: {SSN}\n\nDiagnosis: type 2 diabetes mellitus, treated "
        "with metformin 500 mg twice daily. Follow-up in three months.\n")
SECRETS = [SSN, NAME, "Okonkwo", QUESTION, "What does the note say", "metformin 500 mg",
           "type 2 diabetes", "intake.txt"]


@pytest.mark.skipif(not (FIXTURES / "smollm2-135m-instruct.gguf").is_file(),
                    reason="run installers/setup_env.sh: it puts the SmolLM2 fixture in place")
def test_every_action_is_recorded_and_nothing_identifying_is(tmp_path: Path) -> None:
    analyzer = build_analyzer()
    services = build_services(
        DataPaths(tmp_path / "home"), runtime=FakeRuntime(),
        embedder=lambda: load_embedder(model=exported_model(tmp_path / "embedder")),
        pii_analyzer=Lazy(lambda: analyzer))
    note = tmp_path / "intake.txt"
    note.write_text(NOTE, encoding="utf-8")
    services.settings_store.update("privacy", workspace_policies={"clinic": "strict"})
    model = services.models.import_file(FIXTURES / "smollm2-135m-instruct.gguf")
    services.models.use(model.id)
    for workspace in ("clinic", "general"):
        doc_id = services.library().ingest([note], workspace=workspace).results[0].doc_id
    services.chat().ask(QUESTION, workspace="general")
    services.review().read_page("general", doc_id, 1)
    services.review().export_copy("general", note, tmp_path / "copy.redacted.txt")
    summarize_contract(REPO_ROOT / "app" / "samples" / "services_agreement.md",
                       audit=services.audit)
    services.library().purge("general", str(note))
    services.close()

    log = AuditLog(services.paths.audit_file)
    assert log.verify().ok
    records = log.records()
    assert {record["action"] for record in records} >= {
        "settings_change", "model_import", "model_switch", "ingest", "question", "answer",
        "review_open", "redacted_export", "contract_summary", "purge"}
    question = next(r for r in records if r["action"] == "question")
    assert question["details"]["sha256"] == sha256_text(QUESTION)
    export = next(r for r in records if r["action"] == "redacted_export")
    assert export["details"]["removed"]["US_SSN"] >= 1
    assert next(r for r in records if r["action"] == "settings_change")["details"]["fields"] \
        == ["privacy.workspace_policies"]
    assert {r["user"] for r in records} and all(r["time"] for r in records)
    raw = services.paths.audit_file.read_text(encoding="utf-8").lower()
    assert [secret for secret in SECRETS if secret.lower() in raw] == []
