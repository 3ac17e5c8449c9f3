"""Pure telephony rules: whose end of a call a number is, Twilio's callbacks read and
ordered, SMS keywords, and Asterisk's Master.csv lines."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime, timedelta

import pytest

from accord.capture.domain import cdr
from accord.capture.domain.telephony import (
    PhoneRules,
    Side,
    call_metadata,
    call_sides,
    parse_sms,
    parse_voice,
    side_of,
    sms_consent,
    supersedes,
)
from accord.platform.errors import InvalidInput

RULES = PhoneRules.build(["+44 113 496 0000", "020 7946 0123"], region="GB")
PBX = PhoneRules.build(["0113 496 0000"], region="GB", extension_digits=5)
NOW = datetime(2025, 3, 4, 10, 0, tzinfo=UTC)
VOICE = {"CallSid": "CA" + "a" * 32, "AccountSid": "AC" + "b" * 32, "From": "+447911123456",
         "To": "+441134960000", "CallStatus": "completed", "Direction": "inbound",
         "CallDuration": "312", "Timestamp": "Tue, 04 Mar 2025 10:20:21 +0000",
         "SequenceNumber": "2"}


def test_own_lines_in_any_format_are_ours_and_everyone_else_is_outside() -> None:
    assert RULES.own_numbers == {"+441134960000", "+442079460123"}
    assert side_of("0113 496 0000", RULES) is Side.OWN
    assert side_of("+447911123456", RULES) is Side.EXTERNAL
    assert side_of("client:alice", RULES) is Side.OWN  # a staff softphone
    for withheld in ("anonymous", "+266696687", "", "sip:x@example.com", "0000000000"):
        assert side_of(withheld, RULES) is Side.UNKNOWN
    assert side_of("201", PBX) is Side.OWN and side_of("s", PBX) is Side.OWN
    assert side_of("201", RULES) is Side.UNKNOWN  # Twilio has no extensions


def test_direction_comes_from_which_side_is_ours() -> None:
    inbound = call_sides("07911 123456", "+441134960000", RULES)
    assert (inbound.direction, inbound.customer_number, inbound.customer_role) == \
        ("inbound", "07911 123456", "caller")
    outbound = call_sides("+442079460123", "+447911123456", RULES, hint="inbound")
    assert (outbound.direction, outbound.customer_role) == ("outbound", "callee")
    assert call_sides("+441134960000", "+442079460123", RULES).direction == "internal"
    # Neither number is a configured line: Twilio's Direction decides.
    assert call_sides("+441134960999", "+447911123456", RULES,
                      hint="outbound-dial").direction == "outbound"
    withheld = call_sides("anonymous", "+441134960000", RULES)
    assert withheld.problem and "withheld" in withheld.problem
    assert call_sides("+447911123456", "+441134960000", RULES,
                      message=True).customer_role == "sender"


def test_a_voice_callback_is_read_with_its_start_and_every_missing_field_named() -> None:
    call = parse_voice(VOICE, received_at=NOW, queue="support")
    assert call.at == datetime(2025, 3, 4, 10, 20, 21, tzinfo=UTC)
    assert call.started_at == call.at - timedelta(seconds=312)
    assert (call.sequence, call.queue) == (2, "support")
    assert call_metadata(call)["disposition"] == "answered"
    for field in ("CallSid", "AccountSid", "CallStatus"):
        with pytest.raises(InvalidInput) as caught:
            parse_voice({k: v for k, v in VOICE.items() if k != field}, received_at=NOW)
        assert caught.value.field == field and field in caught.value.message
    with pytest.raises(InvalidInput) as caught:
        parse_voice({**VOICE, "CallDuration": "ten"}, received_at=NOW)
    assert caught.value.field == "CallDuration"
    with pytest.raises(InvalidInput):
        parse_voice({**VOICE, "CallSid": "not-a-sid"}, received_at=NOW)
    # An unreadable Timestamp is news of now, not an error.
    assert parse_voice({**VOICE, "Timestamp": "soon"}, received_at=NOW).at == NOW


def test_newer_callbacks_win_by_sequence_else_by_status() -> None:
    assert supersedes("completed", 2, {"status": "ringing", "sequence": 0})
    assert not supersedes("in-progress", 1, {"status": "completed", "sequence": 2})
    assert not supersedes("completed", 2, {"status": "completed", "sequence": 2})
    assert supersedes("completed", None, {"status": "in-progress"})
    assert not supersedes("ringing", None, {"status": "completed"})


def test_sms_fields_and_keywords() -> None:
    sms = parse_sms({"MessageSid": "MM" + "c" * 32, "AccountSid": "AC" + "b" * 32,
                     "From": "+447911123456", "To": "+441134960000", "Body": "",
                     "NumMedia": "1", "MediaUrl0": "https://api.twilio.com/x",
                     "MediaContentType0": "image/jpeg"})
    assert sms.num_media == 1 and sms.media[0]["content_type"] == "image/jpeg"
    with pytest.raises(InvalidInput) as caught:
        parse_sms({"MessageSid": "SM" + "c" * 32, "AccountSid": "AC" + "b" * 32,
                   "From": "+447911123456", "To": "+441134960000"})
    assert caught.value.field == "Body"
    assert [sms_consent(w) for w in ("STOP", " stop. ", "Unsubscribe", "quit", "START",
                                     "yes", "unstop", "stop it please", "")] == \
        [False, False, False, False, True, True, True, None, None]


def test_twilio_signature_example_from_the_documentation() -> None:
    """The algorithm the validator must agree with (tests sign requests with it)."""
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    params = {"CallSid": "CA1234567890ABCDE", "Caller": "+12349013030", "Digits": "1234",
              "From": "+12349013030", "To": "+18005551212"}
    assert sign("12345", url, params) == "0/KCTR6DLpKmkAf8muzZqo1nDgQ="


def sign(token: str, url: str, params: dict[str, str]) -> str:
    """X-Twilio-Signature as Twilio's security documentation describes it."""
    payload = url + "".join(name + params[name] for name in sorted(params))
    digest = hmac.new(token.encode(), payload.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


# ---------------------------------------------------------------------------------------
# Asterisk CDRs

LINE = ["", "07911123456", "support", "from-trunk", '"Ada Lovelace" <07911123456>',
        "SIP/trunk-1", "SIP/201-2", "Queue", "support,t,,,300", "2025-03-04 10:15:02",
        "2025-03-04 10:15:03", "2025-03-04 10:21:00", "358", "313", "ANSWERED",
        "DOCUMENTATION"]


def test_columns_are_read_from_their_number() -> None:
    assert cdr.columns_for(LINE) == cdr.BASE_COLUMNS
    assert cdr.columns_for([*LINE, "1741083302.18"])[-1] == "uniqueid"
    assert cdr.columns_for([*LINE, "vip"])[-1] == "userfield"
    assert cdr.columns_for([*LINE, "1741083302.18", ""])[-2:] == ("uniqueid", "userfield")
    assert cdr.columns_for([*LINE, "1.2", "", "", "1.2", "3"])[-1] == "sequence"
    with pytest.raises(InvalidInput):
        cdr.columns_for(LINE[:5])


def test_a_queue_call_reads_its_wait_queue_and_disposition() -> None:
    row = [*LINE, "1741083302.18", ""]
    record = cdr.parse_record(row, cdr.columns_for(row), UTC)
    assert (record.queue, record.wait_seconds, record.billed_seconds) == ("support", 45, 313)
    assert (record.disposition, record.caller_name, record.external_id) == \
        ("answered", "Ada Lovelace", "1741083302.18")
    dialled = [*LINE[:7], "Dial", "SIP/201,30", *LINE[9:]]
    assert cdr.parse_record(dialled, cdr.BASE_COLUMNS, UTC).wait_seconds == 1  # ringing
    assert cdr.parse_record(dialled, cdr.BASE_COLUMNS, UTC).external_id.startswith("sha256:")


@pytest.mark.parametrize(("column", "value", "field"), [
    (9, "yesterday", "start"), (12, "abc", "duration"), (13, "999", "billsec"),
    (14, "", "disposition"),
])
def test_a_bad_line_names_its_column(column: int, value: str, field: str) -> None:
    row = list(LINE)
    row[column] = value
    with pytest.raises(InvalidInput) as caught:
        cdr.parse_record(row, cdr.BASE_COLUMNS, UTC)
    assert caught.value.field == field
