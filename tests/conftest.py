"""Shared fixtures. The whole test session runs offline, as the app does."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# The test session itself stays in the machine's network namespace (tests that want the
# kernel-enforced mode start Enclave in a fresh process and ask for it).
os.environ["ENCLAVE_OFFLINE_ENFORCEMENT"] = "off"
# The audit trail's seal keys live outside the data folder (the user's config folder by
# default): the test session keeps them in a temporary folder of its own.
os.environ["ENCLAVE_AUDIT_KEYS"] = tempfile.mkdtemp(prefix="enclave-audit-keys-")
# So does the key that seals a strict workspace's file names (app.name_key).
os.environ["ENCLAVE_NAME_KEYS"] = tempfile.mkdtemp(prefix="enclave-name-keys-")

from app.egress import go_offline, guard  # noqa: E402

go_offline()

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"
FIXTURES = REPO_ROOT / ".cache" / "fixtures"


@pytest.fixture(autouse=True)
def no_egress_attempts(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every test fails if anything it ran tried to reach the network."""
    before = guard().blocked_count
    yield
    if request.node.get_closest_marker("egress_attempts_expected") is None:
        attempts = guard().attempts[before:]
        assert not attempts, f"network attempts during the test: {attempts}"
    else:
        guard().reset()  # provoked on purpose: later tests (and the status bar) start from 0


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The PII worker pool's tests run first, as the app forks its workers early: forked from
    a process that already holds the threads of every Chroma client earlier tests opened (some
    two hundred), a worker could block on a lock one of them held (app.privacy.pool)."""
    items.sort(key=lambda item: "tests/privacy/test_pool.py" not in item.nodeid)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "egress_attempts_expected: the test provokes them")


@pytest.fixture
def enclave_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "enclave-home"
    monkeypatch.setenv("ENCLAVE_HOME", str(home))
    return home


@pytest.fixture(scope="session")
def embedded_gguf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real embedded Gemma 3 270M, assembled once per test session."""
    from models.catalog import ModelCatalog

    catalog = ModelCatalog(tmp_path_factory.mktemp("embedded-models"))
    info = catalog.install_embedded()
    return catalog.path_of(info)


@pytest.fixture(scope="session")
def smollm_gguf() -> Path:
    path = FIXTURES / "smollm2-135m-instruct.gguf"
    assert path.is_file(), "run installers/setup_env.sh: it puts the SmolLM2 fixture in place"
    return path


@pytest.fixture
def home_with_embedded_model(enclave_home: Path, embedded_gguf: Path) -> Path:
    """A data directory whose catalog already lists the embedded model (copied, not rebuilt)."""
    from app.paths import DataPaths
    from models.catalog import ModelCatalog

    paths = DataPaths(enclave_home).ensure()
    shutil.copy(embedded_gguf.parent / "catalog.json", paths.models_dir / "catalog.json")
    os.link(embedded_gguf, paths.models_dir / embedded_gguf.name)
    assert ModelCatalog(paths.models_dir).list()
    return enclave_home


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[Callable[[str, str], Path]]:
    """Small real disks: ``tmpfs("2m", "full-disk")`` mounts a tmpfs of that size on a new
    folder of that name under ``tmp_path`` (root only: the test is skipped elsewhere); each is
    unmounted when the test ends."""
    mounted: list[Path] = []

    def mount(size: str, name: str) -> Path:
        folder = tmp_path / name
        folder.mkdir()
        if os.geteuid() != 0 or subprocess.run(
                ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                capture_output=True).returncode != 0:
            pytest.skip("mounting a tmpfs needs root")
        mounted.append(folder)
        return folder

    try:
        yield mount
    finally:
        for folder in reversed(mounted):
            subprocess.run(["umount", "-l", str(folder)], check=False)
