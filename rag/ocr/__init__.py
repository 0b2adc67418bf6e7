"""OCR of scanned pages and images: Tesseract, page by page, cached, with word boxes."""

from rag.ocr.cache import OcrCache
from rag.ocr.reader import DEFAULT_DPI, OcrContext, ScanReader
from rag.ocr.scan import LOW_CONFIDENCE, OcrWord, PageScan

__all__ = ["DEFAULT_DPI", "LOW_CONFIDENCE", "OcrCache", "OcrContext", "OcrWord", "PageScan",
           "ScanReader"]
