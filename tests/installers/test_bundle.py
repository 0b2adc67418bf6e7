"""The installer's own logic, end to end, with a stand-in for the frozen app.

The real frozen bundle is built and installed by ``make installer-test`` (too slow for every CI
run); here the same build, verify, install, upgrade, tamper and uninstall paths run against a
tiny fake ``enclave`` executable, inside a network namespace with an empty environment.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest

import installers.build as build_module
from installers.build import BuildOptions, build
from installers.manifest import parse_manifest, verify_payload
from installers.sbom import BundledModel
from installers.signing import fingerprint, generate_key_pair, verify

FAKE_APP = """#!/bin/sh
# Stand-in for the frozen Enclave: its self-test passes unless FAIL_SELFTEST is in the app dir.
here=$(dirname "$0")
case "$1" in
  selftest) [ -n "$ENCLAVE_HOME" ] && [ ! -e "$here/FAIL_SELFTEST" ] && echo "self-test ok" ;;
  *) echo "enclave $*" ;;
esac
"""


def _can_unshare() -> bool:
    return subprocess.run(["unshare", "-rn", "true"], capture_output=True).returncode == 0


pytestmark = pytest.mark.skipif(not _can_unshare(), reason="needs user network namespaces")


@pytest.fixture
def keys(tmp_path: Path) -> tuple[Path, Path]:
    private, public = tmp_path / "admin.pem", tmp_path / "admin.pub.pem"
    generate_key_pair(private, public)
    return private, public


@pytest.fixture(autouse=True)
def small_models(monkeypatch: pytest.MonkeyPatch) -> None:
    def stage_small_models(models_dir: Path, extra, report) -> list[BundledModel]:
        models_dir.mkdir(parents=True)
        model = models_dir / "tiny.gguf"
        model.write_bytes(b"GGUF" + b"\0" * 64)
        return [BundledModel("tiny", "1", "MIT", model)]

    monkeypatch.setattr(build_module, "stage_models", stage_small_models)
    # The real collection (67 MB of Tesseract) is tested in tests/ocr/test_bundle_ocr.py.
    monkeypatch.setattr(build_module, "stage_tesseract", lambda app_dir, report: None)


def make_bundle(tmp_path: Path, key: Path, version: str, *, failing: bool = False) -> Path:
    app = tmp_path / f"app-{version}"
    app.mkdir()
    (app / "enclave").write_text(FAKE_APP)
    (app / "enclave").chmod(0o755)
    if failing:
        (app / "FAIL_SELFTEST").write_text("")
    archive = build(BuildOptions(key, tmp_path / f"out-{version}", version, app_dir=app),
                    report=lambda message: None)
    with tarfile.open(archive) as tar:
        tar.extractall(tmp_path / f"unpacked-{version}", filter="tar")
    return next((tmp_path / f"unpacked-{version}").iterdir())


def run_script(script: Path, home: Path, *args: str,
               env: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    command = ["unshare", "-rn", "env", "-i", f"HOME={home}", "PATH=/usr/bin:/bin", *env,
               "bash", str(script), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def test_bundle_holds_signed_manifest_sbom_and_desktop_entry(tmp_path: Path, keys) -> None:
    bundle = make_bundle(tmp_path, keys[0], "1.0.0")
    manifest = (bundle / "MANIFEST.sha256").read_text()
    assert verify_payload(bundle, manifest) == []
    assert verify(manifest.encode(), (bundle / "MANIFEST.sha256.sig").read_bytes(),
                  keys[1].read_bytes())
    listed = parse_manifest(manifest)
    for required in ("install.sh", "uninstall.sh", "payload/app/enclave", "payload/VERSION",
                     "payload/sbom.cdx.json", "payload/share/enclave.desktop",
                     "payload/share/enclave.png", "payload/models/tiny.gguf"):
        assert required in listed
    sbom = json.loads((bundle / "payload" / "sbom.cdx.json").read_text())
    names = {component["name"].lower() for component in sbom["components"]}
    assert {"llama_cpp_python", "chromadb", "tiny"} <= {n.replace("-", "_") for n in names}
    assert all(component["hashes"][0]["content"] for component in sbom["components"])
    assert any(p.name.startswith("LICENSE") for p in (bundle / "payload/licenses").rglob("*"))


def test_install_upgrade_and_uninstall_offline_keep_user_data(tmp_path: Path, keys) -> None:
    home = tmp_path / "home"
    home.mkdir()
    first = run_script(make_bundle(tmp_path, keys[0], "1.0.0") / "install.sh", home)
    assert first.returncode == 0, first.stderr
    assert "self-test" in first.stdout and fingerprint(keys[1].read_bytes()) in first.stdout
    launcher = home / ".local/bin/enclave"
    assert subprocess.run([launcher, "doctor"], capture_output=True, text=True).stdout.strip()
    desktop = (home / ".local/share/applications/enclave.desktop").read_text()
    assert "Exec=" + str(home / ".local/lib/enclave/current/app/enclave") + " gui" in desktop
    user_data = home / ".local/share/Enclave/settings.json"
    user_data.parent.mkdir(parents=True)
    user_data.write_text('{"last_workspace": "merger"}')

    upgrade = run_script(make_bundle(tmp_path, keys[0], "1.1.0") / "install.sh", home)
    assert upgrade.returncode == 0, upgrade.stderr
    prefix = home / ".local/lib/enclave"
    assert (prefix / "current").resolve().name == "1.1.0"
    assert [p.name for p in (prefix / "versions").iterdir()] == ["1.1.0"]
    assert user_data.read_text() == '{"last_workspace": "merger"}'

    removed = run_script(prefix / "current/uninstall.sh", home)
    assert removed.returncode == 0, removed.stderr
    assert not prefix.exists() and not launcher.exists() and user_data.exists()
    assert f"were kept in {home}/.local/share/Enclave" in removed.stdout


def test_a_file_altered_after_install_is_named_by_verify(tmp_path: Path, keys) -> None:
    home = tmp_path / "home"
    home.mkdir()
    bundle = make_bundle(tmp_path, keys[0], "1.0.0")
    assert run_script(bundle / "install.sh", home).returncode == 0
    installed = home / ".local/lib/enclave/current"
    intact = run_script(installed / "verify.sh", home)
    assert intact.returncode == 0, intact.stderr
    assert "installed files match the signed manifest" in intact.stdout
    with (installed / "models/tiny.gguf").open("ab") as stream:
        stream.write(b"trojan")
    (installed / "app/enclave").unlink()
    (installed / "app/extra.so").write_bytes(b"\x7fELF")
    altered = run_script(installed / "verify.sh", home)
    assert altered.returncode == 1
    assert "altered or removed: app/enclave, models/tiny.gguf" in altered.stderr
    shutil.copyfile(bundle / "payload/models/tiny.gguf", installed / "models/tiny.gguf")
    shutil.copyfile(bundle / "payload/app/enclave", installed / "app/enclave")
    added = run_script(installed / "verify.sh", home)
    assert added.returncode == 1 and "app/extra.so" in added.stderr


def test_the_installer_names_the_offline_packages_it_needs(tmp_path: Path, keys) -> None:
    """A window library missing: the message gives apt's command and the companion folder's."""
    bundle = make_bundle(tmp_path, keys[0], "1.0.0")
    (bundle / "payload/share/system-libraries.txt").write_text(
        "libenclave-missing.so.9 libenclave-missing9\n")
    build_module.sign_bundle(bundle, keys[0])
    result = run_script(bundle / "install.sh", tmp_path)
    assert result.returncode == 1, result.stdout
    assert "sudo apt-get install libenclave-missing9" in result.stderr
    assert "./enclave-1.0.0-debian12-debs/install-debs.sh libenclave-missing9)" in result.stderr
    for release, companion in (('ID=ubuntu\nVERSION_ID="24.04"\n', "ubuntu24.04"),
                               ('ID=ubuntu\nVERSION_ID="22.04"\n', "ubuntu22.04"),
                               ('ID=fedora\nVERSION_ID="41"\n', "debian12")):
        (tmp_path / "os-release").write_text(release)
        result = run_script(bundle / "install.sh", tmp_path,
                            env=(f"ENCLAVE_OS_RELEASE={tmp_path / 'os-release'}",))
        assert f"unpack enclave-1.0.0-{companion}-debs.tar.gz" in result.stderr



def test_tampered_file_is_refused_by_name(tmp_path: Path, keys) -> None:
    bundle = make_bundle(tmp_path, keys[0], "1.0.0")
    with (bundle / "payload/models/tiny.gguf").open("ab") as stream:
        stream.write(b"trojan")
    result = run_script(bundle / "install.sh", tmp_path)
    assert result.returncode == 1
    assert "checksum mismatch" in result.stderr and "payload/models/tiny.gguf" in result.stderr
    assert not (tmp_path / ".local/lib/enclave").exists()


def test_added_file_is_refused(tmp_path: Path, keys) -> None:
    bundle = make_bundle(tmp_path, keys[0], "1.0.0")
    (bundle / "payload/app/extra.so").write_bytes(b"\x7fELF")
    result = run_script(bundle / "install.sh", tmp_path)
    assert result.returncode == 1 and "payload/app/extra.so" in result.stderr


def test_bad_signature_is_refused(tmp_path: Path, keys) -> None:
    bundle = make_bundle(tmp_path, keys[0], "1.0.0")
    other_private, other_public = tmp_path / "other.pem", tmp_path / "other.pub.pem"
    generate_key_pair(other_private, other_public)
    result = run_script(bundle / "install.sh", tmp_path, "--public-key", str(other_public))
    assert result.returncode == 1 and "signature does not match" in result.stderr


def test_failing_self_test_leaves_the_previous_version_current(tmp_path: Path, keys) -> None:
    home = tmp_path / "home"
    home.mkdir()
    assert run_script(make_bundle(tmp_path, keys[0], "1.0.0") / "install.sh", home).returncode == 0
    broken = run_script(make_bundle(tmp_path, keys[0], "2.0.0", failing=True) / "install.sh",
                        home)
    assert broken.returncode == 1 and "self-test failed" in broken.stderr
    assert (home / ".local/lib/enclave/current").resolve().name == "1.0.0"


def test_uninstall_can_purge_user_data(tmp_path: Path, keys) -> None:
    home = tmp_path / "home"
    home.mkdir()
    assert run_script(make_bundle(tmp_path, keys[0], "1.0.0") / "install.sh", home).returncode == 0
    data = home / ".local/share/Enclave"
    data.mkdir(parents=True)
    result = run_script(home / ".local/lib/enclave/current/uninstall.sh", home, "--purge-data")
    assert result.returncode == 0, result.stderr
    assert not data.exists()


def test_a_key_that_is_not_ed25519_is_refused_before_building(tmp_path: Path) -> None:
    key = tmp_path / "wrong.pem"
    key.write_text("not a key")
    with pytest.raises(ValueError, match="cannot read the signing key"):
        build(BuildOptions(key, tmp_path, "1.0.0", app_dir=tmp_path), report=lambda m: None)
    assert shutil.which("openssl")


def test_build_refuses_to_ship_a_model_the_app_would_refuse(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tests.models.tiny_gguf import write_tiny_gguf

    alien = write_tiny_gguf(tmp_path / "alien.gguf", "llama", chat_template=None,
                            general_architecture="enclave-unknown")
    with pytest.raises(SystemExit):
        build_module.main(["--signing-key", str(tmp_path / "k.pem"), "--model", str(alien),
                           "--out", str(tmp_path / "dist")])
    assert "alien.gguf is a 'enclave-unknown' model" in capsys.readouterr().err
    assert not (tmp_path / "dist").exists()
