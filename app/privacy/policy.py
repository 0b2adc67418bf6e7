"""What happens to personal data where: per workspace, one policy for the index, the audit log
and exports. The audit log never stores raw identifiers: only types and counts, or hashes."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from models.errors import InputError


class Treatment(StrEnum):
    KEEP = "keep"  # the original text (allowed for the index only)
    PLACEHOLDER = "placeholder"  # <PERSON_1>, the same number for the same value
    REDACT = "redact"  # [REDACTED]
    MASK = "mask"  # ****-****, the shape kept, every letter and digit hidden
    HASH = "hash"  # <PERSON:3f9a1c0b>, a salted hash, the same for the same value


class AuditRecord(StrEnum):
    TYPES = "types"  # entity types and counts only
    HASH = "hash"  # types, counts and salted hashes of the values


class PrivacyPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    index: Treatment = Treatment.PLACEHOLDER
    audit: AuditRecord = AuditRecord.TYPES
    export: Treatment = Treatment.PLACEHOLDER
    exempt_entities: frozenset[str] = Field(default=frozenset({"ORGANIZATION"}),
                                            description="types left as they are everywhere")

    def treatment_for_export(self) -> Treatment:
        if self.export is Treatment.KEEP:
            raise InputError(f"Policy {self.name!r} keeps identifiers in exports; "
                             "choose a policy that redacts them.")
        return self.export


POLICIES: dict[str, PrivacyPolicy] = {policy.name: policy for policy in (
    PrivacyPolicy(name="standard"),
    PrivacyPolicy(name="strict", index=Treatment.REDACT, export=Treatment.REDACT,
                  exempt_entities=frozenset()),
    PrivacyPolicy(name="masked", export=Treatment.MASK),
    PrivacyPolicy(name="hashed", index=Treatment.HASH, audit=AuditRecord.HASH,
                  export=Treatment.HASH),
    PrivacyPolicy(name="open-index", index=Treatment.KEEP),
)}


def get_policy(name: str) -> PrivacyPolicy:
    try:
        return POLICIES[name]
    except KeyError:
        known = ", ".join(sorted(POLICIES))
        raise InputError(f"Unknown privacy policy {name!r}; choose one of: {known}.") from None
