"""The composition root: parts built once even under concurrent first use, model management
in ModelService, and the library facade that callers use instead of reaching into stores."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from app.paths import DataPaths
from app.services import Lazy, build_services
from tests.fake_runtime import FakeRuntime
from tests.rag.fakes import FakeEmbedder


def test_a_part_is_built_once_when_several_threads_ask_for_it_at_once() -> None:
    builds: list[int] = []

    def slow_build() -> object:
        builds.append(threading.get_ident())
        time.sleep(0.05)
        return object()

    part = Lazy(slow_build)
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _: part.get(), range(8)))
    assert len(builds) == 1 and all(result is results[0] for result in results)


def test_concurrent_loads_load_the_model_once_and_choosing_a_model_is_saved(
        home_with_embedded_model: Path) -> None:
    runtime = FakeRuntime()
    services = build_services(DataPaths(home_with_embedded_model), runtime=runtime)
    with ThreadPoolExecutor(4) as pool:
        infos = list(pool.map(lambda _: services.models.ensure_loaded(), range(4)))
    assert runtime.loads == 1 and len({info.id for info in infos}) == 1
    assert runtime.model_path == services.catalog.path_of(infos[0])
    services.models.use(infos[0].id)
    reloaded = build_services(DataPaths(home_with_embedded_model), runtime=FakeRuntime())
    assert reloaded.settings.active_model == infos[0].id
    services.close()


def test_the_library_facade_answers_for_workspaces_documents_and_pages(tmp_path: Path) -> None:
    services = build_services(DataPaths(tmp_path / "home"), runtime=FakeRuntime(),
                              embedder=FakeEmbedder)
    library = services.library()
    note = tmp_path / "note.txt"
    note.write_text("The lease renews on 1 March 2027 unless either party objects.")
    assert services.workspaces().create("Matter") == "Matter"
    library.ingest([note], workspace="Matter")
    assert library.workspaces() == ["Matter"] and library.has_workspace("Matter")
    record = library.documents("Matter")[0]
    assert "1 March 2027" in (library.page_text("Matter", record.doc_id, 1) or "")
    services.workspaces().delete("Matter")
    assert not library.has_workspace("Matter")
    services.close()


def test_the_real_runtime_and_the_double_both_have_the_runtime_interface() -> None:
    from models.llm import LlmRuntime
    from models.runtime import LlamaCppRuntime

    assert isinstance(LlamaCppRuntime(), LlmRuntime)
    assert isinstance(FakeRuntime(), LlmRuntime)
    assert not isinstance(object(), LlmRuntime)
