"""Matter membership, checked by the firm's Chroma server itself (not by the desktop).

chromadb's own server (``uvicorn chromadb.app:app``) authenticates each request by the user's
token (``TokenAuthenticationServerProvider``, users listed in a YAML file with their tenant and
databases) and then asks an authorization provider. chromadb's ``SimpleRBACAuthorizationProvider``
checks only the action, not which database, so a token of one matter could read another. This
provider, loaded by the server (``CHROMA_SERVER_AUTHZ_PROVIDER=rag.chroma_membership.
MatterMembership``), refuses any request whose tenant or database is not the user's: a matter
(one Chroma database) is readable only by the users the administrator listed for it.

Users with ``tenant: "*"`` and ``databases: ["*"]`` are administrators (they create tenants and
matters). Creating or deleting a tenant or database, and resetting, is for them only.

This module runs inside the server; the desktop app never imports it.
"""

from __future__ import annotations

from typing import Any

from chromadb.auth import AuthzAction, AuthzResource, ServerAuthorizationProvider, UserIdentity
from chromadb.config import System
from fastapi import HTTPException
from overrides import override

ADMIN_ONLY = frozenset({AuthzAction.RESET, AuthzAction.CREATE_TENANT,
                        AuthzAction.CREATE_DATABASE, AuthzAction.DELETE_DATABASE})


def is_administrator(user: UserIdentity) -> bool:
    return user.tenant == "*" and "*" in (user.databases or [])


def allowed(user: UserIdentity, action: Any, resource: AuthzResource) -> bool:
    """True when ``user`` may do ``action`` on ``resource`` (see the module's description)."""
    if is_administrator(user):
        return True
    if action in ADMIN_ONLY:
        return False
    if resource.tenant is not None and resource.tenant != user.tenant:
        return False
    return resource.database is None or resource.database in (user.databases or [])


class MatterMembership(ServerAuthorizationProvider):
    def __init__(self, system: System) -> None:
        super().__init__(system)

    @override
    def authorize_or_raise(self, user: UserIdentity, action: AuthzAction,
                           resource: AuthzResource) -> None:
        if not allowed(user, action, resource):
            raise HTTPException(status_code=403, detail=(
                f"{user.user_id} is not a member of {resource.tenant}/{resource.database}"))
