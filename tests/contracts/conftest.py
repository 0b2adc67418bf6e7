"""A small hand-written services agreement (not taken from any data set) and helpers."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from app.contracts.document import ContractText, from_pages
from rag.embedder import Embedder, load_embedder
from rag.onnx_export import exported_model
from tests.conftest import SHARED_DATA
from tests.rag.fakes import write_pdf

CUAD_PDFS = SHARED_DATA / "contracts" / "cuad" / "full_contract_pdf"

PAGE_1 = """MASTER SERVICES AGREEMENT

This Master Services Agreement (the "Agreement") is made and entered into as of March 3, 2021
by and between Northwind Analytics, Inc., a Delaware corporation ("Provider"), and Harbor Mutual
Health LLC ("Client").

1. Effective Date. This Agreement shall become effective on April 1, 2021 (the "Effective Date").

2. Term. The initial term of this Agreement shall commence on the Effective Date and continue for
three (3) years, unless sooner terminated as provided herein.

3. Renewal. Thereafter this Agreement shall automatically renew for successive one (1) year
periods. Either party may prevent a renewal by giving written notice of non-renewal at least
ninety (90) days prior to the end of the then current term.
"""

PAGE_2 = """4. Fees and Payment. Client shall pay each undisputed invoice within thirty (30) days of
receipt. Late payments bear interest at one percent per month.

5. Termination for Convenience. Client may terminate this Agreement for any reason upon sixty (60)
days prior written notice to Provider.

6. Confidentiality. Each party shall hold the other party's Confidential Information in strict
confidence and shall not disclose it to any third party for five (5) years after disclosure.

7. Indemnification. Provider shall defend, indemnify and hold harmless Client from any claims
arising from Provider's negligence.

8. Limitation of Liability. In no event shall either party's aggregate liability under this
Agreement exceed the fees paid in the twelve (12) months before the claim, and neither party shall
be liable for indirect or consequential damages. The foregoing limitations shall not apply to
breaches of Section 6 or to a party's gross negligence or willful misconduct.
"""

PAGE_3 = """9. Non-Competition. During the term and for two (2) years thereafter, Provider shall
not, directly or indirectly, provide competing services to any health insurer anywhere in the world.

10. Assignment. Neither party may assign this Agreement without the prior written consent of the
other party, except in connection with a merger or change of control.

11. Audit. Client may audit Provider's books and records relating to the services during normal
business hours upon ten (10) days prior written notice.

12. Insurance. Provider shall maintain commercial general liability insurance with limits of not
less than $2,000,000 per occurrence.

13. Warranty. Provider warrants that the services will conform to the specifications for a period
of ninety (90) days from the date of acceptance.

14. Governing Law. This Agreement shall be governed by and construed in accordance with the laws
of the State of New York.

EXHIBIT A

Service levels. Provider shall respond to priority incidents within four hours.
"""

SAMPLE_PAGES = (PAGE_1, PAGE_2, PAGE_3)


def contract_of(pages: Sequence[str], name: str = "sample.pdf") -> ContractText:
    return from_pages(Path(name), "pdf", Path(name).stem,
                      tuple((number, text) for number, text in enumerate(pages, start=1)))


@pytest.fixture
def sample_contract() -> ContractText:
    return contract_of(SAMPLE_PAGES)


@pytest.fixture
def sample_txt(tmp_path: Path) -> Path:
    path = tmp_path / "services-agreement.txt"
    path.write_text("\n\n".join(SAMPLE_PAGES), encoding="utf-8")
    return path


@pytest.fixture
def sample_pdf(tmp_path: Path) -> Path:
    return write_pdf(tmp_path / "services-agreement.pdf", SAMPLE_PAGES, font_size=10,
                     line_height=5)


@pytest.fixture(scope="session")
def real_embedder(tmp_path_factory: pytest.TempPathFactory) -> Embedder:
    """The app's ONNX MiniLM embedder (exported by set-up; exported here once if missing)."""
    return load_embedder(model=exported_model(tmp_path_factory.mktemp("embedder")))
