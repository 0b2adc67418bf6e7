"""Contract summarization (issue 6), Qt-free: find clauses, phrase, ground, flag, export.

The GUI and the CLI call :func:`summarize_contract` and the exporters; nothing here imports Qt.
"""

from __future__ import annotations

from app.contracts.export import export_summary, to_json, to_markdown, write_docx, write_pdf
from app.contracts.service import (
    NotAContract,
    Phraser,
    load_contract,
    summarize_contract,
    summarize_text,
)
from app.contracts.summary import (
    SUMMARY_SCHEMA,
    Citation,
    ContractSummary,
    FieldResult,
    RiskItem,
)

__all__ = [
    "SUMMARY_SCHEMA", "Citation", "ContractSummary", "FieldResult", "NotAContract", "Phraser",
    "RiskItem", "export_summary", "load_contract", "summarize_contract", "summarize_text",
    "to_json", "to_markdown", "write_docx", "write_pdf",
]
