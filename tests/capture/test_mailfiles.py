"""Reading mbox files: the fast splitter gives exactly what the standard library's
mailbox.mbox gives, message for message, byte for byte."""

from __future__ import annotations

import mailbox
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.capture.connectors.mailfiles import read_mail


def _stdlib(path: Path) -> list[bytes]:
    box = mailbox.mbox(path, create=False)
    try:
        return [box.get_bytes(key) for key in box.iterkeys()]
    finally:
        box.close()


def _ours(path: Path) -> list[bytes]:
    items = list(read_mail(path))
    assert all(item.raw is not None for item in items)
    return [item.raw for item in items if item.raw is not None]


CASES = {
    "usual": b"From a@x Mon Jan  1 00:00:00 2024\nSubject: one\n\nbody\n\n"
             b"From b@x Mon Jan  1 00:00:00 2024\nSubject: two\n\nbody two\n",
    "no blank line between": b"From a@x\nSubject: one\n\nbody\nFrom b@x\nSubject: two\n\nx\n",
    "trailing blank lines": b"From a@x\nSubject: one\n\nbody\n\n\n",
    "quoted From in body": b"From a@x\nSubject: q\n\n>From here on\nFromage\n\nFrom b@x\n\n",
    "empty message": b"From a@x\n\nFrom b@x\nSubject: s\n\nb\n",
    "crlf": b"From a@x\r\nSubject: one\r\n\r\nbody\r\n\r\nFrom b@x\r\nSubject: 2\r\n\r\nz\r\n",
    "no final newline": b"From a@x\nSubject: one\n\nbody",
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_mbox_split_like_the_standard_library(tmp_path: Path, name: str) -> None:
    path = tmp_path / "box.mbox"
    path.write_bytes(CASES[name])
    assert _ours(path) == _stdlib(path)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(st.sampled_from([b"", b"Subject: x", b"From y", b">From z", b"text",
                                          b"From ", b"\r"]), max_size=6),
                min_size=1, max_size=5))
def test_any_mbox_splits_like_the_standard_library(tmp_path_factory: pytest.TempPathFactory,
                                                   messages: list[list[bytes]]) -> None:
    path = tmp_path_factory.mktemp("mbox") / "box.mbox"
    path.write_bytes(b"".join(b"From sender@x Mon Jan  1 00:00:00 2024\n"
                              + b"".join(line + b"\n" for line in lines)
                              for lines in messages))
    assert _ours(path) == _stdlib(path)

