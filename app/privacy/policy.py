"""What happens to personal data where: per workspace, one policy for the index (the stored
passages, the keyword index, the page copies and the conversation history) and for exports.

The audit trail (:mod:`app.audit`) never holds values under any policy: only entity types and
counts. Hashes of values are not offered: with a salt that ships in the code, the hash of a
nine-digit SSN is reversed by trying every SSN.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from core.errors import InputError


class Treatment(StrEnum):
    KEEP = "keep"  # the original text (allowed for the index only)
    TYPE = "type"  # <PERSON>, the type only
    PLACEHOLDER = "placeholder"  # <PERSON_1>, the same number for the same value
    REDACT = "redact"  # [REDACTED]
    MASK = "mask"  # ****-****, the shape kept, every letter and digit hidden
    HASH = "hash"  # <PERSON:3f9a1c0b>, a salted hash (operator only; no preset uses it)


class PrivacyPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    index: Treatment = Treatment.KEEP
    export: Treatment = Treatment.PLACEHOLDER
    exempt_entities: frozenset[str] = Field(default=frozenset({"ORGANIZATION"}),
                                            description="types left as they are everywhere")

    @property
    def redacts_index(self) -> bool:
        """True: passages, keyword index, page copies and history hold no identifiers."""
        return self.index is not Treatment.KEEP

    @property
    def index_treatment(self) -> str:
        """What the index stores under this policy, as a workspace records it: two policies
        with the same one (standard and masked keep the text) need no re-indexing between
        them; any other change does."""
        if not self.redacts_index:
            return "keep"
        return f"{self.index.value}; exempt: {','.join(sorted(self.exempt_entities))}"

    def treatment_for_export(self) -> Treatment:
        if self.export is Treatment.KEEP:
            raise InputError(f"Policy {self.name!r} keeps identifiers in exports; "
                             "choose a policy that redacts them.")
        return self.export


POLICIES: dict[str, PrivacyPolicy] = {policy.name: policy for policy in (
    PrivacyPolicy(name="standard"),
    PrivacyPolicy(name="strict", index=Treatment.TYPE, export=Treatment.REDACT,
                  exempt_entities=frozenset()),
    PrivacyPolicy(name="masked", export=Treatment.MASK),
)}


def get_policy(name: str) -> PrivacyPolicy:
    try:
        return POLICIES[name]
    except KeyError:
        known = ", ".join(sorted(POLICIES))
        raise InputError(f"Unknown privacy policy {name!r}; choose one of: {known}.") from None
