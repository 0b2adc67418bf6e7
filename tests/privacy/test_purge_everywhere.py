"""After a purge no file under the data folder holds any word of the document, its title or its
path: Chroma's files (write-ahead queue included), the workspace's SQLite file and its WAL, FTS
segments, free pages, caches. Under every privacy policy, through the real services: ingest
(Presidio + spaCy for the policies that redact), the ONNX embedder, Chroma and SQLite on disk."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.paths import DataPaths
from app.privacy.analyzer import PiiAnalyzer
from app.privacy.policy import POLICIES
from app.services import Lazy, Services, build_services
from app.settings import parse_settings
from rag.embedder import Embedder, load_embedder
from rag.onnx_export import exported_model
from tests.fake_runtime import FakeRuntime

# Words that occur nowhere else: the body's, the title's and the path's.
BODY = ("Clinic memo. The zorbifraxate protocol was approved for the quarterly review. "
        "Dosage of plumbaginol stays at 20 mg, reviewed by the vexillogram board.")
TITLE = "Intake for Margaret Okonkwo quintessorial"
FOLDER, FILE = "Okonkwo matter hexaflumine", "intake narwhalbridge.docx"
NEEDLES = ["zorbifraxate", "plumbaginol", "vexillogram", "quintessorial", "okonkwo",
           "hexaflumine", "narwhalbridge"]
KEPT = "The retained agreement covers catering services for the annual conference dinner."


@pytest.fixture(scope="module")
def embedder(tmp_path_factory: pytest.TempPathFactory) -> Embedder:
    return load_embedder(model=exported_model(tmp_path_factory.mktemp("embedder")))


@pytest.fixture(params=sorted(POLICIES))
def services(request: pytest.FixtureRequest, tmp_path: Path, embedder: Embedder,
             analyzer: PiiAnalyzer) -> Iterator[Services]:
    built = build_services(DataPaths(tmp_path / "home"), runtime=FakeRuntime(),
                           embedder=lambda: embedder, pii_analyzer=Lazy(lambda: analyzer))
    built.settings = parse_settings({"privacy": {"workspace_policies": {"ws": request.param}}})
    yield built
    built.close()


def _document(folder: Path) -> Path:
    import docx

    folder.mkdir(parents=True)
    document = docx.Document()
    document.core_properties.title = TITLE
    for sentence in BODY.split(". "):
        document.add_paragraph(sentence)
    path = folder / FILE
    document.save(str(path))
    return path


def _holding(root: Path) -> list[str]:
    found = []
    for path in sorted(root.rglob("*")):
        if path.is_file():
            data = path.read_bytes().lower()
            found += [f"{needle} in {path.relative_to(root)}" for needle in NEEDLES
                      if needle.encode("utf-8") in data]
    return found


def test_a_purged_document_leaves_no_word_of_its_text_title_or_path(
        services: Services, tmp_path: Path) -> None:
    planted, kept = _document(tmp_path / FOLDER), tmp_path / "kept.txt"
    kept.write_text(KEPT, encoding="utf-8")
    report = services.library().ingest([planted, kept], workspace="ws")
    assert report.count("indexed") == 2, report.summary()
    assert _holding(services.paths.root)  # the planted words were stored somewhere

    assert len(services.library().purge("ws", str(planted.parent))) == 1
    assert [record.title for record in services.library().documents("ws")] == ["kept"]
    assert _holding(services.paths.root) == []  # while the app still runs
    services.close()
    assert _holding(services.paths.root) == []


def test_a_purged_scan_leaves_no_ocr_words_and_strict_caches_none(
        request: pytest.FixtureRequest, services: Services, tmp_path: Path) -> None:
    """A scanned PDF (image only, read by the real Tesseract): its OCR is cached by content,
    except under strict, and the cache entries go with a purge."""
    from tests.ocr.scans import write_scanned_pdf

    scan = write_scanned_pdf(tmp_path / "scan.pdf", [
        "Clinic memo\n\nThe zorbifraxate protocol was approved for the quarterly review."])
    assert services.library().ingest([scan], workspace="ws").count("indexed") == 1
    cache = services.paths.ocr_cache_dir
    cached = list(cache.rglob("*.json")) if cache.exists() else []
    strict = services.privacy_policy("ws").redacts_index
    assert (cached == []) == strict, request.node.name
    assert _holding(services.paths.root)  # OCR read the planted word, and it was stored
    services.library().purge("ws", str(scan))
    services.close()
    assert _holding(services.paths.root) == []
