"""The administrator's side of shared matters: create a matter on the firm's Chroma server and
issue a user's token with the matters they may read.

    python -m app.server_admin create-matter acme-merger --url http://10.0.0.5:8000 \\
        --tenant firm --admin-token-file /etc/enclave/admin.token
    python -m app.server_admin issue-token alice --matters acme-merger,audit-2026 \\
        --tenant firm --users /etc/enclave/chroma-users.yaml

Tokens live in the server's users file (read by chromadb's token authentication when the
server starts: restart it after issuing). Each user gets their token once, on paper or a USB
key, and saves it on their desktop (``enclave`` reads it from the file the settings name).
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from core.errors import InputError
from rag.shared import check_matter_name


def _admin_client(url: str, token: str) -> Any:
    import chromadb
    from chromadb.config import Settings

    parts = urlsplit(url)
    return chromadb.AdminClient(Settings(
        chroma_api_impl="chromadb.api.fastapi.FastAPI", chroma_server_host=parts.hostname,
        chroma_server_http_port=parts.port or 8000,
        chroma_server_ssl_enabled=parts.scheme == "https", anonymized_telemetry=False,
        chroma_client_auth_provider="chromadb.auth.token_authn.TokenAuthClientProvider",
        chroma_client_auth_credentials=token))


def create_matter(url: str, admin_token: str, tenant: str, matter: str) -> None:
    """The tenant (once) and the matter's database; creating either again changes nothing."""
    admin = _admin_client(url, admin_token)
    try:
        admin.get_tenant(tenant)
    except Exception:
        admin.create_tenant(tenant)
    try:
        admin.get_database(check_matter_name(matter), tenant=tenant)
    except Exception:
        admin.create_database(matter, tenant=tenant)


def issue_token(users_file: Path, user: str, matters: list[str], tenant: str) -> str:
    """A new random token for ``user`` (replacing theirs), member of ``matters``."""
    for matter in matters:
        check_matter_name(matter)
    data = yaml.safe_load(users_file.read_text(encoding="utf-8")) if users_file.exists() \
        else None
    users = [entry for entry in (data or {}).get("users", []) if entry.get("id") != user]
    token = secrets.token_urlsafe(32)
    users.append({"id": user, "role": "member", "tenant": tenant, "databases": matters,
                  "tokens": [token]})
    _write_private(users_file, yaml.safe_dump({"users": users}))
    return token


def _write_private(path: Path, text: str) -> None:
    """Atomically, readable by the owner only (the file holds every user's token)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".users-")
    with os.fdopen(handle, "w", encoding="utf-8") as stream:
        stream.write(text)
    os.chmod(temporary, 0o600)
    os.replace(temporary, path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app.server_admin")
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create-matter")
    create.add_argument("matter")
    create.add_argument("--url", required=True)
    create.add_argument("--tenant", required=True)
    create.add_argument("--admin-token-file", type=Path, required=True)
    issue = commands.add_parser("issue-token")
    issue.add_argument("user")
    issue.add_argument("--matters", required=True, help="comma-separated matter names")
    issue.add_argument("--tenant", required=True)
    issue.add_argument("--users", type=Path, required=True, help="the server's users file")
    args = parser.parse_args(argv)
    try:
        if args.command == "create-matter":
            token = args.admin_token_file.read_text(encoding="utf-8").strip()
            create_matter(args.url, token, args.tenant, args.matter)
            print(f"matter {args.matter} ready in tenant {args.tenant}")
        else:
            print(issue_token(args.users, args.user, args.matters.split(","), args.tenant))
    except (InputError, OSError) as error:
        print(error, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
