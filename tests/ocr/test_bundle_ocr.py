"""The offline bundle carries the OCR engine: the freeze plan lists the program and the English
model where the engine looks for them, and that layout reads a page with no system path."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from installers import freeze_plan
from rag.ocr import tesseract
from rag.ocr.tesseract import TesseractEngine
from tests.ocr.scans import page_images


def test_freeze_plan_carries_the_tesseract_program_and_english_model() -> None:
    assert freeze_plan.TESSERACT_FOLDER == tesseract.BUNDLE_FOLDER
    binaries = dict(freeze_plan.extra_binaries())
    program = next(source for source, target in binaries.items()
                   if target == tesseract.BUNDLE_FOLDER)
    assert Path(program).name == "tesseract" and Path(program).is_file()
    datas = freeze_plan.extra_datas()
    model = [source for source, target in datas if target == f"{tesseract.BUNDLE_FOLDER}/tessdata"]
    assert [Path(source).name for source in model] == ["eng.traineddata"]
    assert {"pypdfium2", "pypdfium2_raw"} <= set(freeze_plan.COLLECT_ALL)


@pytest.mark.slow
def test_the_bundled_layout_reads_a_page_with_its_own_model(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """As in the frozen app: _internal/tesseract/{tesseract, tessdata/eng.traineddata}."""
    folder = tmp_path / "_internal" / tesseract.BUNDLE_FOLDER
    (folder / "tessdata").mkdir(parents=True)
    for source, target in freeze_plan.tesseract_binaries() + freeze_plan.tesseract_datas():
        shutil.copy(source, tmp_path / "_internal" / target)
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path / "_internal"), raising=False)
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.setenv("TESSDATA_PREFIX", "/nonexistent")
    engine = TesseractEngine.locate()
    assert engine.binary == str(folder / "tesseract") and engine.tessdata == folder / "tessdata"
    image = page_images(["Bundled engine reads this line."], dpi=300)[0]
    assert "Bundled engine reads this line." in engine.recognise(image, 300).text
