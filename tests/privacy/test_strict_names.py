"""A strict workspace keeps no file name or title in clear: "Okonkwo Margaret SSN
123-45-6789.txt" leaves neither the name nor the SSN in any file of the data folder, while the
library still shows, finds, skips and purges it by its real name (sealed under a key kept outside
the data folder). Real Presidio + spaCy, ONNX embedder, Chroma and SQLite on disk."""

from __future__ import annotations

from pathlib import Path

from app.history import CitationRef, Exchange
from app.name_key import keys_folder
from app.services import Services
from rag.names import SEALED, UNREADABLE, NameSeal
from tests.privacy.test_strict_workspace import embedder, services  # noqa: F401

NAME = "Okonkwo Margaret SSN 123-45-6789.txt"
BODY = "Patient Margaret Okonkwo, SSN 123-45-6789, attends the diabetes clinic on Mondays."
NEEDLES = ["okonkwo", "margaret", "123-45-6789"]  # (Chroma's own SQL holds "123456789")


def _holding(root: Path) -> list[str]:
    found = []
    for path in sorted(root.rglob("*")):
        if path.is_file():
            data = path.read_bytes().lower()
            found += [f"{needle} in {path.relative_to(root)}" for needle in NEEDLES
                      if needle.encode("utf-8") in data]
    return found


def test_a_strict_workspace_keeps_no_file_name_in_its_data_folder(
        services: Services, tmp_path: Path) -> None:  # noqa: F811
    source = tmp_path / "Okonkwo family" / NAME
    source.parent.mkdir()
    source.write_text(BODY, encoding="utf-8")
    library = services.library()
    assert library.ingest([source], workspace="clinic").count("indexed") == 1
    record = library.documents("clinic")[0]
    assert record.paths == (str(source),)  # shown in clear
    assert record.title == "Okonkwo Margaret SSN <US_SSN>"  # as redacted, then sealed
    assert library.ingest([source], workspace="clinic").count("unchanged") == 1
    assert library.retriever("clinic").search("diabetes clinic Mondays", top_k=1)[0].path \
        == str(source)
    cited = CitationRef(1, NAME, str(source), record.doc_id, 1, 0, 10, "Patient <PERSON>",
                        True)
    services.history().save("clinic", [Exchange("When is the clinic?", "Mondays [1].",
                                                 [cited])])
    assert services.history().load("clinic").exchanges[0].citations == [cited]
    services.close()
    assert _holding(services.paths.root) == []
    assert not str(keys_folder()).startswith(str(services.paths.root))

    assert library.purge("clinic", str(source.parent)) == [record.doc_id]
    assert library.documents("clinic") == []


def test_a_standard_workspace_stores_names_as_given(services: Services,  # noqa: F811
                                                    tmp_path: Path) -> None:
    source = tmp_path / "memo.txt"
    source.write_text("The catering contract renews in June.", encoding="utf-8")
    services.library().ingest([source], workspace="legal")
    services.close()
    database = next((services.paths.index_dir / "workspaces").glob("ws-legal-*/library.sqlite"))
    assert str(source).encode() in database.read_bytes()


def test_sealed_names_open_only_with_their_key_and_look_up_by_equality() -> None:
    seal, other = NameSeal(lambda: b"k" * 32), NameSeal(lambda: b"x" * 32)
    sealed = seal.seal(f"/matters/{NAME}")
    assert sealed.startswith(SEALED) and "Okonkwo" not in sealed
    assert seal.seal(f"/matters/{NAME}") == sealed and seal.seal("/matters/other") != sealed
    assert seal.open(sealed) == f"/matters/{NAME}" and seal.open("/plain/path") == "/plain/path"
    assert other.open(sealed) == UNREADABLE
    tampered = sealed[:-4] + ("AAAA" if not sealed.endswith("AAAA") else "BBBB")
    assert seal.open(tampered) == UNREADABLE


def test_an_empty_title_stays_empty_and_a_truncated_seal_does_not_open() -> None:
    seal = NameSeal(lambda: b"k" * 32)
    assert seal.seal("") == "" and seal.open("") == ""
    assert seal.open(SEALED + "AAAA") == UNREADABLE and seal.open(SEALED + "%%") == UNREADABLE
