"""Real documents made on the spot for the document tests: scans rendered by Pillow with
a Debian font (fonts-dejavu), a PDF with a genuine text layer written with pypdf, a PDF
that is only an image (the OCR path), multi-page fax TIFFs in CCITT group 4."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont
from pypdf import PdfWriter
from pypdf.generic import (
    DecodedStreamObject,
    DictionaryObject,
    NameObject,
)

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def render_page(lines: list[str], *, width: int = 1700, height: int = 2200,
                size: int = 38) -> Image.Image:
    """A white A4-ish page at about 200 dpi with the lines in black, like a clean scan."""
    page = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(page)
    font = ImageFont.truetype(str(FONT), size)
    y = 120
    for line in lines:
        draw.text((140, y), line, fill=0, font=font)
        y += int(size * 1.6)
    return page


def _save(image: Image.Image, fmt: str, **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, format=fmt, **options)
    return out.getvalue()


def png(lines: list[str]) -> bytes:
    return _save(render_page(lines), "PNG")


def jpeg(lines: list[str]) -> bytes:
    return _save(render_page(lines), "JPEG", quality=90)


def fax_tiff(pages: list[list[str]], *, compression: str = "group4") -> bytes:
    """A multi-page bilevel TIFF as a fax machine or fax server writes it."""
    images = [render_page(p).convert("1") for p in pages]
    return _save(images[0], "TIFF", compression=compression, save_all=True,
                 append_images=images[1:], dpi=(204, 196))


def scanned_pdf(lines: list[str]) -> bytes:
    """A PDF holding only a picture of the page: no text layer, so OCR must read it."""
    return _save(render_page(lines).convert("RGB"), "PDF", resolution=200)


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def text_pdf(pages: list[list[str]]) -> bytes:
    """A PDF with a real text layer (Helvetica, one line per row), as office software
    exports letters."""
    writer = PdfWriter()
    font = DictionaryObject({NameObject("/Type"): NameObject("/Font"),
                             NameObject("/Subtype"): NameObject("/Type1"),
                             NameObject("/BaseFont"): NameObject("/Helvetica")})
    font_ref = writer._add_object(font)
    for lines in pages:
        page = writer.add_blank_page(width=595, height=842)
        commands = ["BT", "/F1 11 Tf", "14 TL", "60 780 Td"]
        for line in lines:
            commands.append(f"({_escape(line)}) Tj T*")
        commands.append("ET")
        stream = DecodedStreamObject()
        stream.set_data("\n".join(commands).encode("latin-1"))
        page[NameObject("/Contents")] = writer._add_object(stream)
        page[NameObject("/Resources")] = DictionaryObject({
            NameObject("/Font"): DictionaryObject({NameObject("/F1"): font_ref})})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def encrypted_pdf(lines: list[str]) -> bytes:
    writer = PdfWriter(clone_from=io.BytesIO(text_pdf([lines])))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


ADA_LETTER = [
    "Ada Lovelace",
    "12 St James's Square",
    "London SW1Y 4JH",
    "Telephone 07911 123456",
    "",
    "Accord Tea Company",
    "1 Market Street, Leeds LS1 6DT",
    "",
    "Dear Sir or Madam,",
    "Please cancel my standing order for Darjeeling.",
    "",
    "Yours faithfully,",
    "Ada Lovelace",
]

STRANGER_LETTER = [
    "Grace Hopper",
    "7 Harbour Road",
    "Bristol BS1 5TY",
    "grace.hopper@navy.example",
    "",
    "Dear Accord,",
    "I would like a catalogue of your teas.",
    "",
    "Kind regards,",
    "Grace Hopper",
]
