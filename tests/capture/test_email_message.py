"""parse_email on recorded-style messages (tests/fixtures/email) and on small inline
ones for each rule: headers, charsets, MIME, quotes and signatures, kinds, stable ids."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.capture.domain.email_message import (
    MailAddress,
    MailKind,
    ParsedEmail,
    parse_email,
)
from accord.platform.errors import InvalidInput

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "email"


def fixture(name: str) -> ParsedEmail:
    return parse_email((FIXTURES / name).read_bytes())


def mail(headers: str, body: str | bytes = "Hello there.\n") -> bytes:
    """A message from header lines (no From/Date/Message-ID added unless given)."""
    data = body if isinstance(body, bytes) else body.encode("utf-8")
    return headers.strip("\n").encode("utf-8") + b"\n\n" + data


BASIC = "From: Ana <ana@example.com>\nTo: bob@example.org\nMessage-ID: <m1@example.com>\n"


# -- the fixtures ---------------------------------------------------------------------

def test_gmail_reply_separates_quote_and_signature() -> None:
    p = fixture("gmail_reply.eml")
    assert p.message_id == "CAKx7Q1cd9+ZpP3o4vWq_Lk8Nw@mail.gmail.com" and p.has_message_id
    assert p.sender == MailAddress("José Müller", "jose.mueller@example.de")
    assert p.to == (MailAddress("Bob Smith", "bob.smith@acme.example"),)
    assert p.cc == (MailAddress("Schmidt, Anna", "anna.schmidt@example.de"),)
    assert p.subject == "Re: Quote for the new office chairs"
    assert p.sent_at == datetime(2025, 3, 4, 10, 15, 28, tzinfo=UTC)
    outlook_id = "AM6PR02MB4423D1F0E1C3F4B5A6B7C8D9E0@AM6PR02MB4423.eurprd02.prod.outlook.com"
    assert p.in_reply_to == outlook_id
    assert p.references == ("CAKx7Q1ab2+Y4mV9Qm7pR@mail.gmail.com", outlook_id)
    assert p.thread_key == "CAKx7Q1ab2+Y4mV9Qm7pR@mail.gmail.com"
    assert p.text == ("Hi Bob,\n\nThanks, that works for us. Let's go with 40 chairs in "
                      "graphite, delivered\nto the Berlin office by 14 March.")
    assert p.signature == "--\nJosé Müller\nHead of Facilities, Example GmbH\n+49 30 1234567"
    assert p.quoted.startswith("On Mon, 3 Mar 2025 at 17:02, Bob Smith <bob.smith@acme.example>"
                               " wrote:\n\n> Hello José,")
    assert p.quoted.endswith("> Best regards,\n> Bob")
    assert (p.from_html, p.kind, p.attachments, p.defects) == (False, MailKind.NORMAL, (), ())


def test_outlook_reply_cuts_at_the_header_block() -> None:
    p = fixture("outlook_reply.eml")
    assert p.to == (MailAddress("José Müller", "jose.mueller@example.de"),)
    assert p.subject == "AW: Re: Quote for the new office chairs"
    assert p.message_id == ("AM6PR02MB44231A2B3C4D5E6F7A8B9C0D1E@AM6PR02MB4423.eurprd02.prod"
                            ".outlook.com")
    assert p.text == ("Hello José,\n\nthe chairs are confirmed for delivery on 14 March. I "
                      "attach nothing today; the\ninvoice follows next week.")
    assert p.signature == ("Kind regards,\nAnna Schmidt\nSales Manager | ACME Office Supplies\n"
                           "Tel. +49 40 7654321")
    assert p.quoted.startswith("________________________________\nFrom: José Müller")
    assert p.quoted.endswith("Let's go with 40 chairs.")
    assert p.thread_key == "CAKx7Q1ab2+Y4mV9Qm7pR@mail.gmail.com"


def test_html_only_newsletter_is_bulk_with_readable_text() -> None:
    p = fixture("newsletter_html.eml")
    assert (p.kind, p.kind_reason, p.list_id) == (
        MailKind.BULK, "List-Id: <news.acme.example>", "news.acme.example")
    assert p.subject == "Spring collection & 20 % off"
    assert p.from_html
    assert p.text == ("Spring collection & 20 % off\n\nDear customer,\n\nour new Ergo 4 chair "
                      "is here. Order before 31 March and save 20 %.\n\nShop now\n\nYou receive"
                      " this mail because you subscribed at acme.example. Unsubscribe")
    assert not p.unsubscribe_request


@pytest.mark.parametrize(("name", "subject", "sender", "text_start", "signature"), [
    ("latin1.eml", "Anfrage: Stühle für das Büro", MailAddress("Jürgen Weiß", "j.weiss@example.at"),
     "Sehr geehrte Damen und Herren,\n\nbitte senden Sie mir ein Angebot für 12 Stühle.",
     "Mit freundlichen Grüßen\nJürgen Weiß"),
    ("koi8r.eml", "Счёт на кресла", MailAddress("Ольга Иванова", "olga@example.ru"),
     "Здравствуйте!\n\nПросим выставить счёт на 40 кресел.",  # noqa: RUF001  (Russian)
     "С уважением,\nОльга Иванова"),  # noqa: RUF001  (Russian, not look-alike Latin)
    ("shift_jis.eml", "納期のお問い合わせ", MailAddress("田中 太郎", "tanaka@example.jp"),
     "いつもお世話になっております。\n注文番号 A-1024 の納期を教えてください。", ""),
])
def test_national_charsets(name: str, subject: str, sender: MailAddress, text_start: str,
                           signature: str) -> None:
    p = fixture(name)
    assert (p.subject, p.sender, p.signature, p.defects) == (subject, sender, signature, ())
    assert p.text.startswith(text_start)


def test_dsn_bounce_lists_only_failed_recipients() -> None:
    p = fixture("dsn_bounce.eml")
    assert (p.kind, p.kind_reason) == (MailKind.BOUNCE, "DSN (multipart/report)")
    assert p.bounced_recipients == ("old.customer@example.net",)  # the delayed one is not
    assert p.text.startswith("This is the mail system at host mail.acme.example.")
    assert [(a.filename, a.content_type) for a in p.attachments] == [
        ("part-3.txt", "text/rfc822-headers")]
    assert b"Subject: Your invoice 2025-0311" in p.attachments[0].content


def test_classic_bounce_reads_the_address_from_the_text() -> None:
    p = fixture("classic_bounce.eml")
    assert (p.kind, p.bounced_recipients) == (MailKind.BOUNCE, ("gone@example.com",))
    assert p.kind_reason == "bounce from MAILER-DAEMON@mx1.example.com (no DSN)"


def test_out_of_office() -> None:
    p = fixture("out_of_office.eml")
    assert (p.kind, p.kind_reason) == (MailKind.AUTO_REPLY, "Auto-Submitted: auto-generated")
    assert p.thread_key == p.in_reply_to


def test_inline_image_and_pdf_attachment() -> None:
    p = fixture("inline_image_and_pdf.eml")
    assert p.text == ("Hi Bob,\n\nplease find the signed order attached. Our logo for the "
                      "engraving is below.")
    assert p.signature == "Cheers,\nJosé"
    image, pdf = p.attachments
    assert (image.filename, image.content_type, image.inline, image.content_id) == (
        "part-5.png", "image/png", True, "logo.8f3a@example.de")
    assert image.content.startswith(b"\x89PNG\r\n\x1a\n") and len(image.content) == 69
    assert (pdf.filename, pdf.content_type, pdf.inline, pdf.content_id) == (
        "Bestellung März.pdf", "application/pdf", False, "")
    assert pdf.content.startswith(b"%PDF-1.4") and pdf.content.endswith(b"%%EOF\n")


def test_no_message_id_gets_a_stable_content_id() -> None:
    raw = (FIXTURES / "no_message_id.eml").read_bytes()
    p = parse_email(raw)
    assert not p.has_message_id
    assert p.message_id.startswith("sha256:") and len(p.message_id) == 71
    assert p.thread_key == p.message_id
    # The same message as IMAP (CRLF), as mbox (From_ line, ">From" quoting) or Maildir.
    assert parse_email(raw.replace(b"\n", b"\r\n")).message_id == p.message_id
    mbox = b"From lars@example.dk Sat Mar 15 18:45:00 2025\n" + raw
    assert parse_email(mbox).message_id == p.message_id
    assert parse_email(raw.replace(b"Hello,", b"Hallo,")).message_id != p.message_id
    headers = "From: ana@example.com\nDate: Sat, 15 Mar 2025 18:45:00 +0100\n"
    body = "Catalogue please.\nFrom now on, ship to Aarhus.\n"
    assert parse_email(mail(headers, body)).message_id == parse_email(
        mail(headers, body.replace("\nFrom ", "\n>From "))).message_id  # mboxo quoting


def test_malformed_mime_keeps_what_it_can() -> None:
    p = fixture("malformed_mime.eml")
    assert p.text == "Here are the files you asked for."
    (data,) = p.attachments
    assert (data.filename, data.content[:12]) == ("data.bin", b"Hello world!")
    assert any("close boundary" in d for d in p.defects)
    assert any("base64" in d for d in p.defects)


def test_empty_and_binary_junk() -> None:
    empty = fixture("empty.eml")
    assert (empty.text, empty.sender, empty.subject, empty.defects) == (
        "", None, "", ("message is empty",))
    assert empty.message_id.startswith("sha256:")
    junk = fixture("binary_junk.eml")
    assert junk.message_id.startswith("sha256:") and junk.defects
    assert not any(c in junk.text for c in "\x00\x01\x08\x7f")


# -- headers ---------------------------------------------------------------------------

def test_not_bytes_is_invalid_input() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_email("From: a@b.c\n\nhi")  # type: ignore[arg-type]
    assert caught.value.field == "raw" and "bytes" in caught.value.message
    assert parse_email(bytearray(mail(BASIC))).message_id == "m1@example.com"


@pytest.mark.parametrize(("date", "expected"), [
    ("Tue, 4 Mar 2025 11:15:28 +0100", datetime(2025, 3, 4, 10, 15, 28, tzinfo=UTC)),
    ("Tue, 4 Mar 2025 11:15:28 -0000", datetime(2025, 3, 4, 11, 15, 28, tzinfo=UTC)),
    ("4 Mar 2025 11:15 EST", datetime(2025, 3, 4, 16, 15, tzinfo=UTC)),
])
def test_dates_are_aware_utc(date: str, expected: datetime) -> None:
    p = parse_email(mail(BASIC + f"Date: {date}\n"))
    assert p.sent_at == expected and p.sent_at is not None and p.sent_at.tzinfo is UTC


def test_bad_or_missing_date() -> None:
    bad = parse_email(mail(BASIC + "Date: next Tuesday-ish\n"))
    assert bad.sent_at is None and bad.defects == ("Date header: 'next Tuesday-ish' is not a date",)
    assert parse_email(mail(BASIC)).sent_at is None


def test_ids_thread_key_and_addresses() -> None:
    p = parse_email(mail(
        "From: =?utf-8?B?TcO8bGxlciwgSm9zw6k=?= <jm@example.de>\n"
        'To: "Smith, Bob" <bob@example.org>, carol@example.org (Carol), Dan <dan@x.org>\n'
        "To: undisclosed-recipients:;\n"
        "Reply-To: Sales <sales@example.de>\n"
        "Message-ID: plain-id@example.de\n"
        "In-Reply-To: <first@x.org> <second@x.org> (Bob's message)\n"))
    assert p.sender == MailAddress("Müller, José", "jm@example.de")
    assert p.to == (MailAddress("Smith, Bob", "bob@example.org"),
                    MailAddress("Carol", "carol@example.org"), MailAddress("Dan", "dan@x.org"))
    assert p.reply_to == (MailAddress("Sales", "sales@example.de"),)
    assert (p.message_id, p.in_reply_to, p.thread_key) == (
        "plain-id@example.de", "first@x.org", "first@x.org")


def test_raw_utf8_headers_and_broken_encoded_words() -> None:
    p = parse_email(mail(BASIC + "Subject: Grüße =?x-unknown?Q?caf=E9?= =?utf-8?B?!!!?=\n"))
    assert p.subject.startswith("Grüße café")
    assert any("unknown charset 'x-unknown'" in d for d in p.defects)


# -- bodies and charsets ---------------------------------------------------------------

def test_unknown_and_wrong_charsets_fall_back() -> None:
    unknown = parse_email(mail(BASIC + "Content-Type: text/plain; charset=x-martian\n",
                               "Grüße".encode()))
    assert unknown.text == "Grüße"
    assert unknown.defects == ("message: unknown charset 'x-martian'; read as UTF-8 or cp1252",)
    wrong = parse_email(mail(BASIC + "Content-Type: text/plain; charset=utf-8\n",
                             "Grüße".encode("latin-1")))
    assert wrong.text == "Grüße"
    assert wrong.defects == ("message: not valid utf-8; read as cp1252",)


@pytest.mark.parametrize(("content_type", "body", "text"), [
    ("text/plain; charset=base64", "Grüße".encode(), "Grüße"),  # a codec, not a charset
    ("text/plain; charset=iso-8859-1", "Grüße".encode("cp1252"), "Grüße"),
    ("text/plain; charset=gb2312", "镕".encode("gbk"), "镕"),  # read as its superset GB18030
    ("text/plain; charset=iso-2022-jp", "日本語".encode("iso-2022-jp"), "日本語"),
    ("text/plain; charset=utf-16", "Hallo".encode("utf-16"), "Hallo"),
])
def test_declared_charsets(content_type: str, body: bytes, text: str) -> None:
    p = parse_email(mail(BASIC + f"Content-Type: {content_type}\n", body))
    assert p.text == text


def test_global_dsn_is_read_as_utf8() -> None:
    p = parse_email(mail(
        BASIC + 'Content-Type: multipart/report; report-type=global-delivery-status; '
        'boundary="b"\n',
        "--b\nContent-Type: text/plain\n\nNot delivered.\n--b\nContent-Type: "
        "message/global-delivery-status\n\nReporting-MTA: dns; mx.example.de\n\n"
        "Final-Recipient: utf-8; jörg@example.de\nAction: failed\nStatus: 5.1.1\n--b--\n"))
    assert (p.kind, p.bounced_recipients, p.text) == (
        MailKind.BOUNCE, ("jörg@example.de",), "Not delivered.")


def test_alternative_prefers_plain_even_when_html_comes_first() -> None:
    p = parse_email(mail(BASIC + 'Content-Type: multipart/alternative; boundary="b"\n', (
        "--b\nContent-Type: text/html\n\n<p>From <b>HTML</b></p>\n"
        "--b\nContent-Type: text/plain\n\nFrom plain\n--b--\n")))
    assert (p.text, p.from_html, p.attachments) == ("From plain", False, ())


def test_html_scripts_and_styles_are_dropped() -> None:
    p = parse_email(mail(BASIC + "Content-Type: text/html; charset=utf-8\n", (
        "<html><head><style>p{color:red}</style><script>steal()</script></head>"
        "<body><p>Hello&nbsp;<i>Ana</i></p><script>more()</script></body></html>")))
    assert (p.text, p.from_html) == ("Hello Ana", True)


def test_attached_message_and_unnamed_part() -> None:
    p = parse_email(mail(BASIC + 'Content-Type: multipart/mixed; boundary="b"\n', (
        "--b\nContent-Type: text/plain\n\nSee the forwarded mail.\n"
        "--b\nContent-Type: message/rfc822\n\nFrom: x@y.org\nSubject: Old\n\nOld body\n"
        "--b\nContent-Type: application/octet-stream\n\nraw\n--b--\n")))
    assert p.text == "See the forwarded mail."
    assert [(a.filename, a.content_type) for a in p.attachments] == [
        ("part-2.eml", "message/rfc822"), ("part-3.bin", "application/octet-stream")]
    assert parse_email(p.attachments[0].content).subject == "Old"


def test_a_25_mb_attachment() -> None:
    blob = bytes(range(256)) * (25 * 1024 * 4)
    encoded = base64.encodebytes(blob).decode("ascii")
    p = parse_email(mail(BASIC + 'Content-Type: multipart/mixed; boundary="b"\n', (
        "--b\nContent-Type: text/plain\n\nThe scan.\n--b\nContent-Type: application/pdf\n"
        "Content-Disposition: attachment; filename=scan.pdf\n"
        f"Content-Transfer-Encoding: base64\n\n{encoded}--b--\n")))
    (scan,) = p.attachments
    assert (scan.filename, len(scan.content), scan.content == blob) == ("scan.pdf", len(blob), True)


def test_deep_nesting_is_cut_off() -> None:
    head = "".join(f'--b{i}\nContent-Type: multipart/mixed; boundary="b{i + 1}"\n\n'
                   for i in range(60))
    p = parse_email(mail(BASIC + 'Content-Type: multipart/mixed; boundary="b0"\n',
                         head + "--b60\nContent-Type: text/plain\n\ndeep\n"))
    assert any("nesting deeper than" in d for d in p.defects)


# -- quotes and signatures -------------------------------------------------------------

@pytest.mark.parametrize(("body", "text", "quoted", "signature"), [
    ("Fine by me.\n\n-----Original Message-----\nFrom: Bob\nSent: Monday\n\nOld text\n",
     "Fine by me.", "-----Original Message-----\nFrom: Bob\nSent: Monday\n\nOld text", ""),
    ("> Can you do Tuesday?\nYes, 10:00.\n> And the room?\nRoom 4.\n",
     "Yes, 10:00.\nRoom 4.", "> Can you do Tuesday?\n> And the room?", ""),
    ("Bob Smith wrote:\n> Price?\n\n289 EUR each.\n", "289 EUR each.",
     "Bob Smith wrote:\n> Price?", ""),
    ("Danke!\n\nAm 03.03.2025 um 17:02 schrieb Bob Smith <bob@acme.example>:\n> Angebot\n",
     "Danke!", "Am 03.03.2025 um 17:02 schrieb Bob Smith <bob@acme.example>:\n> Angebot", ""),
    ("Sounds good.\n\nSent from my iPhone\n", "Sounds good.", "", "Sent from my iPhone"),
    ("On reflection, I agree.\nHere is the plan: ship Monday.\n",
     "On reflection, I agree.\nHere is the plan: ship Monday.", "", ""),
    ("Thanks, that works for us.\nBest regards, and see you soon.\n",
     "Thanks, that works for us.\nBest regards, and see you soon.", "", ""),
])
def test_reply_splitting(body: str, text: str, quoted: str, signature: str) -> None:
    p = parse_email(mail(BASIC, body))
    assert (p.text, p.quoted, p.signature) == (text, quoted, signature)


def test_a_message_that_is_only_a_quote_keeps_its_text() -> None:
    p = parse_email(mail(BASIC, "> Only the old text.\n> Nothing new.\n"))
    assert (p.text, p.quoted) == ("> Only the old text.\n> Nothing new.", "")


# -- kinds ---------------------------------------------------------------------------

@pytest.mark.parametrize(("headers", "kind", "reason"), [
    ("X-Autoreply: yes\n", MailKind.AUTO_REPLY, "X-Autoreply: yes"),
    ("X-Autorespond: Out of office\n", MailKind.AUTO_REPLY, "X-Autorespond: Out of office"),
    ("Precedence: auto_reply\n", MailKind.AUTO_REPLY, "Precedence: auto_reply"),
    ("Subject: Out of Office: Quote\n", MailKind.AUTO_REPLY, "Subject: Out of Office: Quote"),
    ("Subject: Abwesenheitsnotiz: Angebot\n", MailKind.AUTO_REPLY,
     "Subject: Abwesenheitsnotiz: Angebot"),
    ("Auto-Submitted: no\nSubject: Re: our out of office policy\n", MailKind.NORMAL, ""),
    ("Precedence: bulk\n", MailKind.BULK, "Precedence: bulk"),
    ("List-Unsubscribe: <mailto:u@x.org>\n", MailKind.BULK, "List-Unsubscribe header"),
    ("List-Id: <l.x.org>\nAuto-Submitted: auto-replied\n", MailKind.AUTO_REPLY,
     "Auto-Submitted: auto-replied"),
    ("X-Failed-Recipients: gone@x.org\nAuto-Submitted: auto-replied\n", MailKind.BOUNCE,
     "X-Failed-Recipients: gone@x.org"),
    ('Content-Type: multipart/report; report-type=disposition-notification; boundary="b"\n',
     MailKind.AUTO_REPLY, "MDN (read receipt)"),
])
def test_kinds(headers: str, kind: MailKind, reason: str) -> None:
    p = parse_email(mail(BASIC + headers, "--b\n\nread\n--b--\n" if "report" in headers
                         else "Hello.\n"))
    assert (p.kind, p.kind_reason) == (kind, reason)


def test_a_bounce_of_list_mail_is_a_bounce() -> None:
    raw = (FIXTURES / "dsn_bounce.eml").read_bytes()
    p = parse_email(b"List-Id: <news.acme.example>\nPrecedence: bulk\n" + raw)
    assert (p.kind, p.list_id) == (MailKind.BOUNCE, "news.acme.example")


@pytest.mark.parametrize(("subject", "body", "expected"), [
    ("Unsubscribe", "This message was automatically generated by Gmail.", True),
    ("unsubscribe-8f3a", "", True),
    ("Re: Your spring offer", "Please remove me from your mailing list.", True),
    ("Re: Your spring offer", "UNSUBSCRIBE", True),
    ("Question", "How do I unsubscribe my colleague from the newsletter? She left.", False),
    ("Re: Your spring offer", "Great offer, I'll order two. Can I unsubscribe later?", False),
])
def test_unsubscribe_requests(subject: str, body: str, expected: bool) -> None:
    p = parse_email(mail(BASIC + f"Subject: {subject}\n", body))
    assert p.unsubscribe_request is expected


def test_a_list_mail_is_never_an_unsubscribe_request() -> None:
    p = parse_email(mail(BASIC + "List-Id: <l.x.org>\nSubject: Unsubscribe\n"))
    assert (p.kind, p.unsubscribe_request) == (MailKind.BULK, False)


# -- never raises ----------------------------------------------------------------------

PIECES = [b"From: ", b"To: ", b"Subject: =?utf-8?B?", b"=?koi8-r?Q?=C1?=", b"Message-ID: <",
          b">", b"\n", b"\r\n", b"\n\n", b"Content-Type: multipart/mixed; boundary=", b'"b"',
          b"--b\n", b"--b--\n", b"Content-Transfer-Encoding: base64\n", b"charset=x-bad",
          b"Content-Type: message/delivery-status\n", b"Action: failed\nFinal-Recipient: ",
          b"Date: ", b"Mon, 99 Foo 2025", b"\xff\xfe\x00", b"\xc3\xa9", b"> quote\n", b"-- \n"]


def _assert_well_formed(p: ParsedEmail) -> None:
    assert p.message_id
    texts = [p.message_id, p.subject, p.text, p.quoted, p.signature, p.thread_key,
             *(a.name + a.address for a in (*p.to, *p.cc, *p.reply_to)),
             *(a.filename for a in p.attachments), *p.bounced_recipients]
    for value in texts:
        value.encode("utf-8")  # no lone surrogates: every field can be stored
        assert "\x00" not in value


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_never_raise(raw: bytes) -> None:
    _assert_well_formed(parse_email(raw))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES) | st.binary(max_size=20), max_size=40))
def test_message_shaped_junk_never_raises(pieces: list[bytes]) -> None:
    _assert_well_formed(parse_email(b"".join(pieces)))
