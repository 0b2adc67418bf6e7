"""A CycloneDX 1.5 software bill of materials for the bundle: every Python distribution frozen
into it and every model file, each with version, licence and sha256."""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from installers.manifest import sha256_file


@dataclass(frozen=True)
class BundledModel:
    name: str
    version: str
    licence: str
    path: Path


def distribution_component(dist: importlib.metadata.Distribution) -> dict:
    name, version = dist.metadata["Name"], dist.version
    record = dist.read_text("RECORD") or f"{name}=={version}"
    return {
        "type": "library",
        "name": name,
        "version": version,
        "purl": f"pkg:pypi/{name.lower().replace('_', '-')}@{version}",
        "licenses": [{"license": {"name": _licence_of(dist)}}],
        # The RECORD file lists the hash of every installed file: hashing it pins them all.
        "hashes": [{"alg": "SHA-256", "content": hashlib.sha256(record.encode()).hexdigest()}],
    }


def _licence_of(dist: importlib.metadata.Distribution) -> str:
    metadata = dist.metadata
    expression = (metadata.get_all("License-Expression") or [""])[0]
    if expression:
        return str(expression)
    classifiers = [c.split(" :: ")[-1] for c in metadata.get_all("Classifier") or []
                   if c.startswith("License ::")]
    short = str((metadata.get_all("License") or [""])[0]).strip().splitlines()
    if classifiers:
        return ", ".join(classifiers)
    return short[0][:80] if short and short[0] else "UNKNOWN"


def model_component(model: BundledModel) -> dict:
    return {
        "type": "machine-learning-model",
        "name": model.name,
        "version": model.version,
        "licenses": [{"license": {"name": model.licence}}],
        "hashes": [{"alg": "SHA-256", "content": sha256_file(model.path)}],
    }


def build_sbom(distributions: Iterable[importlib.metadata.Distribution],
               models: Iterable[BundledModel], *, app_version: str) -> dict:
    unique = {dist.metadata["Name"].lower(): dist for dist in distributions}
    return {
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        "serialNumber": f"urn:uuid:{uuid.uuid4()}",
        "version": 1,
        "metadata": {
            "timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "component": {"type": "application", "name": "enclave", "version": app_version},
        },
        "components": [distribution_component(unique[key]) for key in sorted(unique)]
        + [model_component(model) for model in models],
    }


def write_sbom(path: Path, sbom: dict) -> None:
    path.write_text(json.dumps(sbom, indent=1), encoding="utf-8")
