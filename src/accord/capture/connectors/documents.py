"""Text out of scanned letters and faxes: PDF (text layer, else OCR of the rendered page),
PNG, JPEG and TIFF (every page of a multi-page TIFF) through tesseract.

Pure: bytes in, an ``ExtractedDocument`` out, no ORM. pypdf reads the text layer;
pypdfium2 (a self-contained wheel: no poppler, no subprocess) renders pages that have
none so tesseract can read them; Pillow opens images. A file that is no document at all
(empty, junk, damaged, encrypted) raises ``InvalidInput`` naming the reason; a page that
yields no text is kept, with the problem noted, so a person can still read the scan."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field

import pypdfium2
import pytesseract
from PIL import Image, ImageOps, ImageSequence, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.errors import PdfReadError

from accord.platform.errors import AccordError, InvalidInput

logger = logging.getLogger(__name__)

# A page whose text layer has fewer characters than this is a scan with at most a stray
# header: OCR reads it instead.
MIN_TEXT_LAYER_CHARS = 25
OCR_DPI = 300  # tesseract reads best at 300 dpi
MAX_PAGES = 50  # beyond this a "letter" is a book: the rest is kept as a file, not read
OCR_TIMEOUT_SECONDS = 120  # per page; a pathological scan must not stall a sync
THUMBNAIL_WIDTH = 480
FAX_COMPRESSIONS = frozenset({"group3", "group4"})  # CCITT T.4/T.6: what fax machines send

CONTENT_TYPES = {"pdf": "application/pdf", "png": "image/png", "jpeg": "image/jpeg",
                 "tiff": "image/tiff"}


class OcrUnavailable(AccordError):
    """tesseract is not installed or cannot run: the machine's fault, not the document's,
    so a sync stops and says so rather than rejecting every file."""

    code = "ocr_unavailable"
    status = 503


@dataclass(frozen=True)
class ExtractedDocument:
    """What a document says and how it was read."""

    kind: str  # pdf, png, jpeg, tiff
    content_type: str
    page_count: int
    text: str
    method: str  # "text_layer", "ocr", "mixed", or "none" when nothing was readable
    fax_encoded: bool = False  # a TIFF in fax compression (CCITT group 3/4)
    thumbnail: bytes | None = None  # the first page as a small PNG
    problems: list[str] = field(default_factory=list)


def sniff_kind(content: bytes) -> str | None:
    """The document kind from its first bytes (never from the file name)."""
    head = content[:1024]
    if b"%PDF-" in head:  # may follow a little junk; PDF readers accept that too
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return "tiff"
    return None


def extract_document(content: bytes, *, language: str = "eng",
                     ocr: bool = True) -> ExtractedDocument:
    """Read a PDF, PNG, JPEG or TIFF. Raises InvalidInput (field "file") when the bytes
    are not a readable document, OcrUnavailable when tesseract cannot run."""
    if not content:
        raise InvalidInput("The file is empty (0 bytes).", field="file")
    kind = sniff_kind(content)
    if kind is None:
        raise InvalidInput("Not a PDF, PNG, JPEG or TIFF file (unrecognised content).",
                           field="file")
    if kind == "pdf":
        return _read_pdf(content, language=language, ocr=ocr)
    return _read_image(content, kind, language=language, ocr=ocr)


# --- PDF ----------------------------------------------------------------------------------


def _open_pdf(content: bytes) -> PdfReader:
    try:
        reader = PdfReader(io.BytesIO(content))
        if reader.is_encrypted and not reader.decrypt(""):
            raise InvalidInput("The PDF is encrypted with a password; it cannot be read.",
                               field="file")
        _ = len(reader.pages)  # reads the page tree: a broken one fails here, not later
    except InvalidInput:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, OSError,
            RecursionError) as exc:
        raise InvalidInput(f"The PDF is damaged and cannot be read ({exc}).",
                           field="file") from exc
    except Exception as exc:  # pypdf raises many kinds on hostile files (e.g. encryption algos)
        raise InvalidInput(f"The PDF cannot be read ({type(exc).__name__}: {exc}).",
                           field="file") from exc
    return reader


def _read_pdf(content: bytes, *, language: str, ocr: bool) -> ExtractedDocument:
    reader = _open_pdf(content)
    total = len(reader.pages)
    if total == 0:
        raise InvalidInput("The PDF has no pages.", field="file")
    problems: list[str] = []
    if total > MAX_PAGES:
        problems.append(f"only the first {MAX_PAGES} of {total} pages were read")
    texts: list[str] = []
    methods: set[str] = set()
    rendered = _PdfRenderer(content)
    try:
        for number in range(min(total, MAX_PAGES)):
            try:
                layer = reader.pages[number].extract_text() or ""
            except Exception as exc:  # a broken content stream on one page
                layer = ""
                problems.append(f"page {number + 1}: text layer unreadable ({exc})")
            if len(layer.strip()) >= MIN_TEXT_LAYER_CHARS or not ocr:
                texts.append(layer.strip())
                methods.add("text_layer" if layer.strip() else "none")
                continue
            image = rendered.page(number, problems)
            if image is None:
                texts.append(layer.strip())
                continue
            texts.append(_ocr(image, language, number + 1, problems))
            methods.add("ocr")
        thumbnail = _thumbnail(rendered.page(0, problems, scale=1.0))
    finally:
        rendered.close()
    return _result("pdf", total, texts, methods, problems, thumbnail)


class _PdfRenderer:
    """Pages as images through pdfium, opened only when a page needs OCR or a preview."""

    def __init__(self, content: bytes) -> None:
        self._content = content
        self._pdf: pypdfium2.PdfDocument | None = None
        self._failed = False

    def page(self, number: int, problems: list[str], scale: float = OCR_DPI / 72
             ) -> Image.Image | None:
        if self._failed:
            return None
        try:
            if self._pdf is None:
                self._pdf = pypdfium2.PdfDocument(self._content)
            image: Image.Image = self._pdf[number].render(scale=scale, grayscale=True).to_pil()
            return image
        except Exception as exc:  # pdfium refuses what pypdf tolerated
            self._failed = True
            problems.append(f"page {number + 1} could not be rendered ({exc})")
            return None

    def close(self) -> None:
        if self._pdf is not None:
            self._pdf.close()


# --- images -------------------------------------------------------------------------------


def _frames(image: Image.Image) -> Iterator[Image.Image]:
    for frame in ImageSequence.Iterator(image):
        yield frame.copy()


def _read_image(content: bytes, kind: str, *, language: str, ocr: bool) -> ExtractedDocument:
    try:
        image = Image.open(io.BytesIO(content))
        image.load()
        frames = list(_frames(image))
    except Image.DecompressionBombError as exc:
        raise InvalidInput("The image is too large to be a scanned page.", field="file") \
            from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError) as exc:
        raise InvalidInput(f"The {kind.upper()} image is damaged and cannot be read ({exc}).",
                           field="file") from exc
    fax = kind == "tiff" and str(image.info.get("compression", "")) in FAX_COMPRESSIONS
    problems: list[str] = []
    if len(frames) > MAX_PAGES:
        problems.append(f"only the first {MAX_PAGES} of {len(frames)} pages were read")
    texts: list[str] = []
    methods: set[str] = set()
    if ocr:
        for number, frame in enumerate(frames[:MAX_PAGES]):
            texts.append(_ocr(_upright(frame, fax), language, number + 1, problems))
            methods.add("ocr")
    return _result(kind, len(frames), texts, methods, problems,
                   _thumbnail(_upright(frames[0], fax)), fax_encoded=fax)


def _upright(frame: Image.Image, fax: bool) -> Image.Image:
    """Grey, EXIF-rotated, and at normal proportions: a standard-resolution fax has half
    the vertical resolution (204x98 dpi) and reads as squashed text otherwise."""
    image = ImageOps.exif_transpose(frame).convert("L")
    dpi = frame.info.get("dpi")
    if fax and isinstance(dpi, tuple) and len(dpi) == 2 and dpi[0] and dpi[1] \
            and float(dpi[0]) > 1.5 * float(dpi[1]):
        ratio = float(dpi[0]) / float(dpi[1])
        image = image.resize((image.width, round(image.height * ratio)))
    return image


# --- shared -------------------------------------------------------------------------------


def _ocr(image: Image.Image, language: str, page: int, problems: list[str]) -> str:
    try:
        text: str = pytesseract.image_to_string(image, lang=language,
                                                timeout=OCR_TIMEOUT_SECONDS)
    except pytesseract.TesseractNotFoundError as exc:
        raise OcrUnavailable("tesseract is not installed (apt install tesseract-ocr).") \
            from exc
    except pytesseract.TesseractError as exc:
        problems.append(f"page {page}: OCR failed ({exc.message or exc.status})")
        return ""
    except RuntimeError as exc:  # pytesseract's timeout (TesseractError is one too)
        problems.append(f"page {page}: OCR gave up after {OCR_TIMEOUT_SECONDS} s ({exc})")
        return ""
    return text.strip()


def _thumbnail(image: Image.Image | None) -> bytes | None:
    if image is None:
        return None
    small = image.convert("L")
    if small.width > THUMBNAIL_WIDTH:
        small = small.resize((THUMBNAIL_WIDTH, max(1, round(small.height * THUMBNAIL_WIDTH
                                                            / small.width))))
    out = io.BytesIO()
    small.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _result(kind: str, pages: int, texts: list[str], methods: set[str], problems: list[str],
            thumbnail: bytes | None, *, fax_encoded: bool = False) -> ExtractedDocument:
    text = "\n\n".join(t for t in texts if t)
    read = methods - {"none"}
    method = "mixed" if len(read) > 1 else (next(iter(read)) if read else "none")
    if not text:
        problems.append("no text could be read from the document")
        method = "none"
    return ExtractedDocument(kind=kind, content_type=CONTENT_TYPES[kind], page_count=pages,
                             text=text, method=method, fax_encoded=fax_encoded,
                             thumbnail=thumbnail, problems=problems)
