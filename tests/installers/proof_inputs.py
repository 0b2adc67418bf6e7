"""Inputs and output checks for the bare-Debian proof (installers/proof/debian12.sh).

    python -m tests.installers.proof_inputs FOLDER                 write the inputs
    python -m tests.installers.proof_inputs --check-outputs OUT    check what came back
    python -m tests.installers.proof_inputs --xwd-to-png XWD PNG   Xvfb's screen as a PNG

Runs on the build machine (the bare root has no Python): the inputs are the app's own sample
documents, a scanned page (an image-only PDF, so only OCR can read it), the intake form as a
PDF with its fictional personal data, and the sample services agreement as a PDF contract.
The checks read the redacted PDF with pypdf (no identifier may survive) and compare the
history before and after the upgrade.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

SAMPLES = Path(__file__).resolve().parents[2] / "app" / "samples"
IDENTIFIERS = ("Eleanor J. Marsh", "555-0193", "eleanor.marsh@example.com", "HMX-448812")
SCANNED_TEXT = ("Referral for a cardiology review of Mr. Daniel Okafor, who reports chest "
                "pain on exertion since March.")


def latin1(text: str) -> str:
    """The PDF core fonts hold Latin-1 only; markdown markup is dropped."""
    plain = text.replace("**", "").replace("*", "").replace("#", "")
    return plain.replace("\u2014", "-").replace("\u2019", "'").replace("\u201c", '"') \
        .replace("\u201d", '"').encode("latin-1", "replace").decode("latin-1")


def write_inputs(folder: Path) -> None:
    from tests.ocr.scans import write_scanned_pdf
    from tests.rag.fakes import write_pdf

    samples = folder / "samples"
    samples.mkdir(parents=True, exist_ok=True)
    for sample in sorted(SAMPLES.glob("*.md")):
        shutil.copyfile(sample, samples / sample.name)
    write_scanned_pdf(folder / "scanned_referral.pdf", [SCANNED_TEXT])
    write_pdf(folder / "intake_form.pdf",
              [latin1((SAMPLES / "patient_intake.md").read_text(encoding="utf-8"))])
    write_pdf(folder / "services_agreement.pdf",
              [latin1((SAMPLES / "services_agreement.md").read_text(encoding="utf-8"))])
    for path in folder.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)


def check_outputs(out: Path) -> list[tuple[str, bool, str]]:
    from pypdf import PdfReader

    results = []
    redacted = out / "intake_form.redacted.pdf"
    if redacted.is_file():
        text = "\n".join(page.extract_text() or "" for page in PdfReader(redacted).pages)
        leaked = [value for value in IDENTIFIERS if value in text]
        results.append(("redacted-pdf-content", not leaked and "diabetes" in text,
                        f"{len(text)} characters, leaked: {leaked or 'none'}, "
                        f"clinical text kept: {'diabetes' in text}"))
    else:
        results.append(("redacted-pdf-content", False, "no redacted PDF came back"))
    before, after = out / "history-before", out / "history-after"
    files = sorted(p.relative_to(before) for p in before.rglob("*.json")) if before.is_dir() else []
    same = bool(files) and all((after / name).is_file() and
                               (after / name).read_bytes() == (before / name).read_bytes()
                               for name in files)
    asked = any("terminate" in (before / name).read_text(encoding="utf-8") for name in files)
    results.append(("upgrade-history-kept", same and asked,
                    f"{len(files)} conversation file(s), identical after the upgrade: {same}, "
                    f"holds the window's question: {asked}"))
    shot = out / "window.png"
    results.append(("window-screenshot", shot.is_file(),
                    str(shot) if shot.is_file() else "no screenshot"))
    return results


def xwd_to_png(xwd: Path, png: Path) -> None:
    """Xvfb's -fbdir screen file (XWD, ZPixmap, 32 bits per pixel, little-endian BGRX)."""
    import struct

    import numpy as np
    from PIL import Image

    data = xwd.read_bytes()
    fields = struct.unpack(">25I", data[:100])
    header_size, width, height = fields[0], fields[4], fields[5]
    bits_per_pixel, bytes_per_line, colormap_entries = fields[11], fields[12], fields[19]
    if bits_per_pixel != 32:
        raise ValueError(f"{xwd}: {bits_per_pixel} bits per pixel; only 32 is handled")
    start = header_size + 12 * colormap_entries
    rows = np.frombuffer(data, np.uint8, height * bytes_per_line, start)
    pixels = rows.reshape(height, bytes_per_line)[:, :width * 4].reshape(height, width, 4)
    Image.fromarray(pixels[:, :, [2, 1, 0]].copy(), "RGB").save(png, optimize=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.installers.proof_inputs")
    parser.add_argument("folder", type=Path, nargs="?")
    parser.add_argument("--check-outputs", type=Path, default=None)
    parser.add_argument("--xwd-to-png", type=Path, nargs=2, default=None)
    args = parser.parse_args(argv)
    if args.xwd_to_png:
        xwd_to_png(*args.xwd_to_png)
    elif args.check_outputs:
        results = check_outputs(args.check_outputs)
        for name, passed, detail in results:
            print(f"{name}\t{'PASS' if passed else 'FAIL'}\t{detail}")
        return 0 if all(passed for _, passed, _ in results) else 1
    elif args.folder:
        write_inputs(args.folder)
    else:
        parser.error("give a folder, --check-outputs or --xwd-to-png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
