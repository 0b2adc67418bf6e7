"""Shared matters on a real Chroma server process: desktops are separate ``enclave`` processes
with their own data folders and tokens; the server checks every token and membership."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from rag.chroma_server import ChromaServer
from rag.errors import IndexStoreError
from rag.shared import SharedLibrary, SharedWorkspace
from tests.shared.conftest import (
    MEMBERS,
    desktop_process,
    finished,
    member_desktop,
    write_documents,
)
from tests.shared.servers import TENANT, ChromaProcess, create_matters, users_file


def _workspace(url: str, user: str, matter: str = "acme") -> SharedWorkspace:
    library = SharedLibrary(ChromaServer(url, TENANT, MEMBERS[user][0]))
    workspace = library.workspace(matter)
    assert isinstance(workspace, SharedWorkspace)
    return workspace


def _empty(workspace: SharedWorkspace) -> None:
    for record in workspace.documents():
        workspace.purge(record.doc_id)


def test_ingest_on_one_desktop_is_searchable_from_another_at_once(
        chroma: ChromaProcess, tmp_path: Path) -> None:
    _empty(_workspace(chroma.url, "alice"))
    write_documents(tmp_path / "docs", 3)
    ingested = finished(desktop_process(chroma.url, "alice", "ingest", str(tmp_path / "docs")))
    assert ingested["statuses"] == ["indexed"] * 3
    found = finished(desktop_process(chroma.url, "carol", "search", "Which law governs?"))
    assert any("governed by the laws" in text for _, text in found["hits"])
    assert None not in found["similarities"]  # keyword-only hits too, by the server's distances
    carol = member_desktop(tmp_path, "carol", chroma.url)  # the real command line, too
    listed = carol.run("docs", "list", "--workspace", "acme")
    assert listed.returncode == 0, listed.stderr[-2000:]
    assert "3 document(s) in workspace 'acme'" in listed.stdout


def test_two_desktops_ingesting_one_matter_at_once_lose_and_duplicate_nothing(
        chroma: ChromaProcess, tmp_path: Path) -> None:
    workspace = _workspace(chroma.url, "alice")
    _empty(workspace)
    both = write_documents(tmp_path / "both", 3)  # each desktop ingests these and its own
    for user, first in (("alice", 100), ("carol", 200)):
        write_documents(tmp_path / user, 2, first)
        for path in both:
            (tmp_path / user / path.name).write_bytes(path.read_bytes())
    running = [desktop_process(chroma.url, user, "ingest", str(tmp_path / user))
               for user in ("alice", "carol")]
    statuses = [finished(process)["statuses"] for process in running]
    # The common files: stored by whichever desktop came first ("duplicate" for the other,
    # its path added), or by both at once (the same records written twice, stored once).
    assert all(set(each) <= {"indexed", "duplicate"} and len(each) == 5 for each in statuses)
    records = workspace.documents()
    assert len(records) == 3 + 2 + 2  # each content once
    assert workspace.consistency_problems() == []
    assert len(workspace.store.chunk_ids()) == sum(record.chunks for record in records)
    assert sorted(len(record.paths) for record in records) == [1] * 4 + [2] * 3


def test_a_server_killed_mid_ingest_loses_and_doubles_nothing(tmp_path: Path) -> None:
    server = ChromaProcess(tmp_path / "data", users_file(tmp_path / "users.yaml", MEMBERS))
    server.start()
    try:
        create_matters(server.url, ["acme"])
        write_documents(tmp_path / "docs", 12)
        ingest = desktop_process(server.url, "alice", "ingest", str(tmp_path / "docs"))
        workspace = _workspace(server.url, "alice")
        deadline = time.monotonic() + 240
        while len(workspace.documents()) < 3 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert ingest.poll() is None, "the ingest ended before the server could be killed"
        server.kill()  # mid-ingest, as a power cut
        time.sleep(1.0)
        server.start()  # the same data folder and port
        report = finished(ingest)
        assert report["statuses"] == ["indexed"] * 12
        assert "Chroma server unreachable" in report["stderr"]  # it lost the server, waited
        records = workspace.documents()
        assert len(records) == 12
        assert workspace.consistency_problems() == []
        again = finished(desktop_process(server.url, "alice", "ingest", str(tmp_path / "docs")))
        assert again["statuses"] == ["unchanged"] * 12
    finally:
        server.stop()


def test_a_matter_is_readable_only_by_its_members_checked_by_the_server(
        chroma: ChromaProcess) -> None:
    alice = _workspace(chroma.url, "alice")
    collection = alice.index.collection("acme")
    url = (f"{chroma.url}/api/v2/tenants/{TENANT}/databases/acme/collections/"
           f"{collection.id}/get")
    for token, status, says in ((MEMBERS["carol"][0], 200, "ids"),
                                (MEMBERS["bob"][0], 403, "bob is not a member of firm/acme"),
                                ("not-a-token", 403, "AuthError")):
        response = httpx.post(url, json={"limit": 1},
                              headers={"Authorization": f"Bearer {token}"})
        assert (response.status_code, says in response.text) == (status, True), response.text
    with pytest.raises(IndexStoreError, match="not a member of the matter 'acme'"):
        SharedLibrary(ChromaServer(chroma.url, TENANT, MEMBERS["bob"][0])).workspace("acme")
    with pytest.raises(IndexStoreError, match="did not accept your token"):
        SharedLibrary(ChromaServer(chroma.url, TENANT, "forged")).workspace("acme")


def test_each_user_sees_the_matters_they_belong_to(chroma: ChromaProcess) -> None:
    assert SharedLibrary(ChromaServer(chroma.url, TENANT, MEMBERS["alice"][0])) \
        .workspaces() == ["acme"]
    assert SharedLibrary(ChromaServer(chroma.url, TENANT, MEMBERS["bob"][0])) \
        .workspaces() == ["harbor"]
