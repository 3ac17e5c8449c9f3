"""Reading documents (real tesseract, real PDFs) and the pure sender-matching rules."""

from __future__ import annotations

import pytest

from accord.capture.connectors.documents import extract_document, sniff_kind
from accord.capture.domain.addresses import AddressRules
from accord.capture.domain.document_matching import (
    Evidence,
    Outcome,
    address_similarity,
    decide,
    decide_channel,
    find_clues,
    same_name,
    subject_of,
)
from accord.platform.errors import InvalidInput
from tests.capture import document_samples as samples

# --- reading -----------------------------------------------------------------------------


def test_text_layer_pdf_is_read_without_ocr() -> None:
    second = ["Page two: three boxes of Darjeeling, order 881"]
    doc = extract_document(samples.text_pdf([samples.ADA_LETTER, second]))
    assert doc.kind == "pdf" and doc.page_count == 2
    assert doc.method == "text_layer"
    assert "Please cancel my standing order" in doc.text
    assert "Page two" in doc.text
    assert doc.thumbnail and doc.thumbnail.startswith(b"\x89PNG")


def test_scanned_pdf_without_text_layer_is_ocred() -> None:
    doc = extract_document(samples.scanned_pdf(samples.ADA_LETTER))
    assert doc.kind == "pdf" and doc.method == "ocr"
    assert "standing order" in doc.text
    assert "07911 123456" in doc.text


@pytest.mark.parametrize("make", [samples.png, samples.jpeg])
def test_images_are_ocred(make) -> None:
    doc = extract_document(make(samples.STRANGER_LETTER))
    assert doc.method == "ocr" and doc.page_count == 1
    assert "grace.hopper@navy.example" in doc.text
    assert not doc.fax_encoded


def test_multi_page_fax_tiff_reads_every_page_and_knows_it_is_a_fax() -> None:
    doc = extract_document(samples.fax_tiff([samples.ADA_LETTER, ["Order 881 for 3 boxes"]]))
    assert doc.kind == "tiff" and doc.page_count == 2 and doc.fax_encoded
    assert "Darjeeling" in doc.text and "Order 881" in doc.text


def test_blank_scan_is_kept_with_no_text_and_the_problem_noted() -> None:
    doc = extract_document(samples.png([]))
    assert doc.text == "" and doc.method == "none"
    assert any("no text" in p for p in doc.problems)
    assert doc.thumbnail


@pytest.mark.parametrize(("content", "words"), [
    (b"", "empty"),
    (b"\x00\x01junk" * 50, "Not a PDF"),
    (b"%PDF-1.4\nnot really a pdf", "damaged"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "damaged"),
])
def test_bad_files_raise_invalid_input_with_the_reason(content: bytes, words: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        extract_document(content)
    assert words in caught.value.message
    assert caught.value.field == "file"


def test_encrypted_pdf_is_refused_with_the_reason() -> None:
    with pytest.raises(InvalidInput, match="encrypted"):
        extract_document(samples.encrypted_pdf(["Secret letter"]))


def test_kind_comes_from_the_bytes_not_the_name() -> None:
    assert sniff_kind(samples.png(["x"])) == "png"
    assert sniff_kind(b"II*\x00rest") == "tiff"
    assert sniff_kind(b"GIF89a") is None


# --- clues and decisions ------------------------------------------------------------------

LETTER = """Ada Lovelace
12 St James\u2019s Square
London SW1Y 4JH
Tel: 07911 123456   ada@example.com

Accord Tea Company
sales@accord.example
Customer number: shop:B-17

Re: Standing order
Dear Sir or Madam,
Please cancel my standing order. Thank you.

Yours faithfully,
Ada Lovelace
"""


def test_clues_found_in_a_letter() -> None:
    clues = find_clues(LETTER, default_region="GB",
                       rules=AddressRules.build(own_domains=["accord.example"]))
    assert clues.emails == ("ada@example.com",)  # the organisation's own left out
    assert clues.phones == ("+447911123456",)
    assert clues.references == ("shop:B-17",)
    assert "12 st james's square, london sw1y 4jh" in clues.address_keys
    assert clues.address_blocks[0].display == "12 St James's Square, London SW1Y 4JH"
    assert clues.names == ("Ada Lovelace",)


def test_role_and_junk_addresses_are_not_clues() -> None:
    clues = find_clues("Write to info@shop.example or noreply@x.example", default_region="GB")
    assert clues.emails == ()


def test_strong_evidence_for_one_customer_matches() -> None:
    decision = decide([Evidence(1, "phone", "+447911123456"), Evidence(1, "name", "Ada"),
                       Evidence(2, "name", "Ada")])
    assert decision.outcome is Outcome.MATCHED and decision.customer_id == 1
    assert decision.candidates[0].score == 1.2


def test_a_name_alone_is_never_enough() -> None:
    decision = decide([Evidence(7, "name", "Ada Lovelace")])
    assert decision.outcome is Outcome.AMBIGUOUS and decision.customer_id is None


def test_two_strong_candidates_are_ambiguous() -> None:
    decision = decide([Evidence(1, "email", "a@x.example"), Evidence(2, "phone", "+44")])
    assert decision.outcome is Outcome.AMBIGUOUS
    assert [c.customer_id for c in decision.candidates] == [1, 2]


def test_no_evidence_is_unmatched() -> None:
    assert decide([]).outcome is Outcome.UNMATCHED


def test_the_same_kind_twice_counts_once() -> None:
    decision = decide([Evidence(1, "token", "AB-1234"), Evidence(1, "token", "CD-9")])
    assert decision.candidates[0].score == 0.5


def test_address_similarity_tolerates_ocr_slips() -> None:
    lines = ["Ada Lovelace", "12 St James's Square", "London SWILY 4JH"]
    assert address_similarity(lines, "12 St James's Square, London SW1Y 4JH") > 0.9
    assert address_similarity(lines, "7 Harbour Road, Bristol BS1 5TY") < 0.6


def test_names_compare_without_accents_or_case() -> None:
    assert same_name("JOSE NUNEZ", "José Núñez")
    assert not same_name("Ada Byron", "Ada Lovelace")


@pytest.mark.parametrize(("requested", "fax", "text", "channel"), [
    (None, False, "Dear Sir", "letter"),
    ("fax", False, "Dear Sir", "fax"),
    (None, True, "Dear Sir", "fax"),
    (None, False, "12/03/2025 10:14 FROM: +44 20 7946 0000 TO: 0113 496 0000 P. 1/2\nDear",
     "fax"),
    (None, False, "FAX from Harbour Supplies   Page 1 of 3\nDear", "fax"),
    ("letter", True, "", "letter"),
])
def test_channel(requested, fax, text, channel) -> None:
    assert decide_channel(requested=requested, fax_encoded=fax, text=text) == channel


def test_subject_from_a_re_line_or_the_first_sentence() -> None:
    assert subject_of(LETTER) == "Standing order"
    assert subject_of("Dear Bob,\nThe tea arrived cold. Please refund.") == \
        "The tea arrived cold."
    assert subject_of("") == ""
