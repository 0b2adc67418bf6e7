from __future__ import annotations

from pathlib import Path

import pytest

from app.privacy.policy import POLICIES, PrivacyPolicy, Treatment, get_policy
from app.services import build_services
from app.settings import parse_settings
from core.errors import InputError
from tests.fake_runtime import FakeRuntime


def test_presets_never_put_raw_identifiers_in_exports() -> None:
    for policy in POLICIES.values():
        assert policy.export is not Treatment.KEEP
        assert policy.export is not Treatment.HASH  # a public salt: SSN hashes are reversible


def test_only_strict_redacts_the_index_and_it_uses_typed_placeholders() -> None:
    assert [name for name, policy in POLICIES.items() if policy.redacts_index] == ["strict"]
    assert get_policy("strict").index is Treatment.TYPE
    assert not get_policy("strict").exempt_entities


def test_unknown_policy_names_the_known_ones() -> None:
    with pytest.raises(InputError, match="standard"):
        get_policy("lenient")


def test_a_policy_that_keeps_identifiers_cannot_export() -> None:
    with pytest.raises(InputError, match="keeps identifiers"):
        PrivacyPolicy(name="x", export=Treatment.KEEP).treatment_for_export()


def test_settings_refuse_an_unknown_workspace_policy() -> None:
    with pytest.raises(InputError, match="privacy.workspace_policies"):
        parse_settings({"privacy": {"workspace_policies": {"hr": "nope"}}})


def test_each_workspace_gets_its_own_policy(enclave_home: Path) -> None:
    services = build_services(runtime=FakeRuntime())
    services.settings = parse_settings(
        {"privacy": {"default_policy": "standard", "workspace_policies": {"hr": "strict"}}})
    assert services.privacy_policy("hr").name == "strict"
    assert services.privacy_policy("legal").name == "standard"
