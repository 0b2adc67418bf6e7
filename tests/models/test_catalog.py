from pathlib import Path

import pytest

from core.errors import Cancelled, ModelError
from models.catalog import EMBEDDED_MODEL_ID, ModelCatalog
from models.gguf_info import read_gguf_metadata
from tests.models.tiny_gguf import write_tiny_gguf


def test_embedded_model_is_assembled_verified_and_listed(embedded_gguf: Path) -> None:
    catalog = ModelCatalog(embedded_gguf.parent)
    info = catalog.get(EMBEDDED_MODEL_ID)
    assert info.embedded and info.architecture == "gemma3"
    assert info.quantization == "Q4_K_M" and info.context_length >= 8192
    assert info.prompt_style == "completion", "a base model must not get a chat template"
    assert catalog.verify(info)


@pytest.fixture(scope="module")
def tiny_qwen(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small real GGUF, so that import tests need not copy 240 MB each."""
    path = tmp_path_factory.mktemp("tiny") / "tiny-qwen.gguf"
    return write_tiny_gguf(path, "qwen2", chat_template="{{ messages[0]['content'] }}")


def test_installing_the_embedded_model_twice_does_nothing(embedded_gguf: Path) -> None:
    catalog = ModelCatalog(embedded_gguf.parent)
    before = embedded_gguf.stat().st_mtime_ns
    catalog.install_embedded()
    assert embedded_gguf.stat().st_mtime_ns == before


def test_a_damaged_model_file_fails_verification(tmp_path: Path, tiny_qwen: Path) -> None:
    catalog = ModelCatalog(tmp_path)
    info = catalog.import_file(tiny_qwen)
    with catalog.path_of(info).open("r+b") as stream:
        stream.seek(-10, 2)
        stream.write(b"0123456789")
    assert not catalog.verify(info)


def test_imported_gguf_is_listed_with_its_metadata(tmp_path: Path, tiny_qwen: Path) -> None:
    catalog = ModelCatalog(tmp_path)
    info = catalog.import_file(tiny_qwen)
    assert info.id == "tiny-qwen" and not info.embedded
    assert info.architecture == "qwen2" and info.prompt_style == "chat"
    assert [listed.id for listed in catalog.list()] == [info.id]
    with pytest.raises(ModelError, match="already installed"):
        catalog.import_file(tiny_qwen)


def test_truncated_gguf_is_refused_and_not_listed(tmp_path: Path, tiny_qwen: Path) -> None:
    truncated = tmp_path / "half.gguf"
    truncated.write_bytes(tiny_qwen.read_bytes()[: tiny_qwen.stat().st_size // 2])
    catalog = ModelCatalog(tmp_path / "models")
    with pytest.raises(ModelError, match="truncated"):
        catalog.import_file(truncated)
    assert catalog.list() == []


@pytest.mark.parametrize(
    ("content", "reason"),
    [(b"", "empty"), (b"this is a text file, not a model\n" * 10, "not a GGUF"),
     (b"GGUF\x03\x00\x00\x00garbage", "damaged or truncated")],
)
def test_files_that_are_not_models_are_refused(tmp_path: Path, content: bytes, reason: str) -> None:
    fake = tmp_path / "model.gguf"
    fake.write_bytes(content)
    with pytest.raises(ModelError, match=reason):
        read_gguf_metadata(fake)


def test_missing_file_is_reported_by_name(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="not found"):
        ModelCatalog(tmp_path).import_file(tmp_path / "nowhere.gguf")


def test_cancelled_import_leaves_nothing_behind(tmp_path: Path, tiny_qwen: Path) -> None:
    catalog = ModelCatalog(tmp_path / "models")
    with pytest.raises(Cancelled):
        catalog.import_file(tiny_qwen, cancel=lambda: True)
    assert catalog.list() == []
    assert [p.name for p in (tmp_path / "models").iterdir()] == []


def test_removing_a_model_deletes_its_file(tmp_path: Path, tiny_qwen: Path) -> None:
    catalog = ModelCatalog(tmp_path)
    info = catalog.import_file(tiny_qwen)
    catalog.remove(info.id)
    assert catalog.list() == [] and not catalog.path_of(info).exists()


def test_unknown_model_id_names_the_installed_ones(embedded_gguf: Path) -> None:
    with pytest.raises(ModelError, match=EMBEDDED_MODEL_ID):
        ModelCatalog(embedded_gguf.parent).get("phi-9")


def test_embedded_model_comes_from_an_installer_bundle_when_there_is_one(
        tmp_path: Path, embedded_gguf: Path) -> None:
    bundle = tmp_path / "bundle-models"
    bundle.mkdir()
    (bundle / embedded_gguf.name).hardlink_to(embedded_gguf)
    info = ModelCatalog(tmp_path / "models").install_embedded(bundled_dir=bundle)
    assert info.embedded and ModelCatalog(tmp_path / "models").verify(info)


def test_a_damaged_bundled_model_is_refused(tmp_path: Path, embedded_gguf: Path) -> None:
    bundle = tmp_path / "bundle-models"
    bundle.mkdir()
    (bundle / embedded_gguf.name).write_bytes(b"GGUF" + b"\0" * 4096)
    catalog = ModelCatalog(tmp_path / "models")
    with pytest.raises(ModelError, match="checksum mismatch"):
        catalog.install_embedded(bundled_dir=bundle)
    assert catalog.list() == [] and not list((tmp_path / "models").iterdir())
