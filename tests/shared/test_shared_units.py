"""Fast checks of the shared-matter parts that need no server: keyword ranking, names, the
membership rule the server applies, settings, the administrator's token file."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from chromadb.auth import AuthzAction, AuthzResource, UserIdentity

from app.server_admin import issue_token
from app.settings import parse_settings
from core.errors import InputError
from rag.chroma_membership import allowed
from rag.shared import bm25, check_matter_name, keyword_text


def test_keyword_text_is_lower_case_words_between_spaces() -> None:
    assert keyword_text("Termination: 30 days' NOTICE.") == " termination 30 days notice "


def test_bm25_prefers_rarer_and_repeated_terms_and_matches_word_beginnings() -> None:
    texts = {"a": keyword_text("termination for cause"),
             "b": keyword_text("termination termination notice"),
             "c": keyword_text("notice of renewal")}
    ranked = [key for key, _ in bm25(texts, ["terminat", "notice"], total=100)]
    assert ranked[0] == "b"
    assert set(ranked) == {"a", "b", "c"}
    assert bm25({}, ["x"], 10) == []
    assert bm25({"a": keyword_text("unterminated")}, ["terminat"], 10) == []


@pytest.mark.parametrize("name", ["acme", "acme-merger_2026", "A.b"])
def test_usable_matter_names(name: str) -> None:
    assert check_matter_name(name) == name


@pytest.mark.parametrize("name", ["ab", "acme merger", "-acme", "acme-", "x" * 64, "äcme"])
def test_unusable_matter_names_are_refused_quoting_them(name: str) -> None:
    with pytest.raises(InputError, match="is not usable"):
        check_matter_name(name)


ALICE = UserIdentity(user_id="alice", tenant="firm", databases=["acme"])
ADMIN = UserIdentity(user_id="admin", tenant="*", databases=["*"])
MEMBERSHIP = [
    (ALICE, AuthzAction.GET, AuthzResource("firm", "acme", "c1"), True),
    (ALICE, AuthzAction.UPSERT, AuthzResource("firm", "acme", "c1"), True),
    (ALICE, AuthzAction.GET, AuthzResource("firm", "harbor", "c1"), False),
    (ALICE, AuthzAction.GET_DATABASE, AuthzResource("firm", "harbor", None), False),
    (ALICE, AuthzAction.GET, AuthzResource("other", "acme", "c1"), False),
    (ALICE, AuthzAction.CREATE_DATABASE, AuthzResource("firm", "acme", None), False),
    (ALICE, AuthzAction.RESET, AuthzResource(None, None, None), False),
    (ALICE, AuthzAction.GET_TENANT, AuthzResource("firm", None, None), True),
    (ADMIN, AuthzAction.CREATE_DATABASE, AuthzResource("firm", "new", None), True),
    (ADMIN, AuthzAction.GET, AuthzResource("firm", "harbor", "c1"), True),
]


@pytest.mark.parametrize(("user", "action", "resource", "expected"), MEMBERSHIP)
def test_membership_rule(user: UserIdentity, action: AuthzAction, resource: AuthzResource,
                         expected: bool) -> None:
    assert allowed(user, action, resource) is expected


def test_shared_settings_accept_server_urls_and_refuse_others_by_value() -> None:
    settings = parse_settings({"shared": {"chroma_url": "https://10.0.0.5:8443/",
                                          "llm_url": "http://10.0.0.6:8080"}})
    assert settings.shared.chroma_url == "https://10.0.0.5:8443"
    for bad in ("10.0.0.5:8000", "ftp://x:1", "http://x:1/api"):
        with pytest.raises(InputError, match="shared.chroma_url"):
            parse_settings({"shared": {"chroma_url": bad}})
    with pytest.raises(InputError, match="llm_prompt_style"):
        parse_settings({"shared": {"llm_prompt_style": "poem"}})


def test_issued_tokens_replace_the_users_old_one_and_the_file_is_private(
        tmp_path: Path) -> None:
    users = tmp_path / "users.yaml"
    first = issue_token(users, "alice", ["acme"], "firm")
    second = issue_token(users, "alice", ["acme", "harbor"], "firm")
    issue_token(users, "bob", ["harbor"], "firm")
    entries = yaml.safe_load(users.read_text())["users"]
    alice = next(entry for entry in entries if entry["id"] == "alice")
    assert alice["tokens"] == [second] and first != second
    assert alice["databases"] == ["acme", "harbor"] and len(entries) == 2
    assert users.stat().st_mode & 0o777 == 0o600
    with pytest.raises(InputError):
        issue_token(users, "eve", ["no spaces allowed"], "firm")


def test_the_broker_pipes_sockets_numbered_past_1024() -> None:
    """A busy app holds over a thousand descriptors (its index, model, fonts): select() then
    raised "filedescriptor out of range" in the broker's pipe and the server looked down."""
    import os
    import resource
    import socket
    import threading

    from app.broker import _pipe

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < 1200:
        pytest.skip(f"this machine allows {hard} open files")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, 1200), hard))
    filler = [os.open(os.devnull, os.O_RDONLY) for _ in range(1100)]
    try:
        app_side, one = socket.socketpair()
        server_side, other = socket.socketpair()
        assert min(one.fileno(), other.fileno()) >= 1024
        app_side.settimeout(20)
        server_side.settimeout(20)  # fails, not hangs, when the pipe died
        piping = threading.Thread(target=_pipe, args=(one, other), daemon=True)
        piping.start()
        app_side.sendall(b"GET / HTTP/1.1\r\n\r\n")
        assert server_side.recv(100) == b"GET / HTTP/1.1\r\n\r\n"
        server_side.sendall(b"HTTP/1.1 200 OK\r\n\r\n")
        assert app_side.recv(100) == b"HTTP/1.1 200 OK\r\n\r\n"
        app_side.close()
        piping.join(timeout=10)
        assert not piping.is_alive()  # the pipe ends when a side closes
        for sock in (one, other, server_side):
            sock.close()
    finally:
        for descriptor in filler:
            os.close(descriptor)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
