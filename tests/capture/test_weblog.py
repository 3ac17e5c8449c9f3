"""`accord import weblog`: access logs in the combined format onto visits and timelines;
bots and static files skipped, bad lines reported with their line, re-runs idempotent,
identification from the log stitching a visitor's visits."""

from __future__ import annotations

import gzip
import shutil
from datetime import UTC, datetime
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accord.capture.connectors.access_log import LogHit, parse_line, read_log
from accord.capture.models import CaptureProblem, Source, Visit, Visitor
from accord.capture.services.sources import add_source
from accord.capture.services.weblog_import import import_weblog
from accord.capture.services.websites import as_website
from accord.interactions.models import Interaction
from accord.platform.actors import SYSTEM

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "weblog"
ACCESS_LOG = FIXTURES / "access.log"


def test_combined_and_common_lines_are_read() -> None:
    hit = parse_line('203.0.113.7 - ada@example.com [10/Mar/2025:09:56:30 +0100] '
                     '"GET /account/orders?x=1 HTTP/2.0" 200 6120 '
                     '"https://shop.example/contact" "Mozilla/5.0 \\"quoted\\" (X11)"')
    assert isinstance(hit, LogHit)
    assert hit.at == datetime(2025, 3, 10, 8, 56, 30, tzinfo=UTC)
    assert (hit.method, hit.target, hit.status) == ("GET", "/account/orders?x=1", 200)
    assert hit.user == "ada@example.com" and hit.referrer == "https://shop.example/contact"
    assert hit.user_agent == 'Mozilla/5.0 "quoted" (X11)'
    common = parse_line('10.0.0.1 - - [10/Mar/2025:09:00:00 +0000] "GET / HTTP/1.0" 304 -')
    assert isinstance(common, LogHit) and common.user_agent == "" and common.referrer == ""
    nginx = parse_line('10.0.0.1 - - [10/Mar/2025:09:00:00 +0000] "GET /a HTTP/1.1" 200 5 '
                       '"-" "Agent \\x22x\\x22"')
    assert isinstance(nginx, LogHit) and nginx.user_agent == 'Agent "x"'


@pytest.mark.parametrize(("line", "reason"), [
    ("this is not an access log line", "not in the combined log format"),
    ('1.2.3.4 - - [32/Foo/2025:10:00:30 +0000] "GET / HTTP/1.1" 200 1 "-" "x"', "unreadable time"),
    ('1.2.3.4 - - [10/Mar/2025:10:00:30 +0000] "\\x16\\x03\\x01" 400 150 "-" "-"',
     "unreadable request"),
    ('1.2.3.4 - - [10/Mar/2025:10:00:30 +0000] "-" 408 0 "-" "-"', "unreadable request"),
])
def test_bad_lines_say_why(line: str, reason: str) -> None:
    result = parse_line(line)
    assert isinstance(result, str) and result.startswith(reason)


def test_gzip_files_folders_and_junk(tmp_path: Path) -> None:
    with gzip.open(tmp_path / "access.log.1.gz", "wb") as out:
        out.write(ACCESS_LOG.read_bytes())
    (tmp_path / "junk.bin").write_bytes(bytes(range(256)) * 8)
    (tmp_path / ".hidden").write_text("ignored")
    lines = list(read_log(tmp_path))
    from_gz = [line for line in lines if line.ref.startswith("access.log.1.gz")]
    assert sum(1 for line in from_gz if line.hit) == 15
    assert [line.ref for line in from_gz if line.hit is None] == [
        "access.log.1.gz line 8", "access.log.1.gz line 12", "access.log.1.gz line 16"]
    assert all(line.hit is None for line in lines if line.ref.startswith("junk.bin"))
    assert not any(".hidden" in line.ref for line in lines)
    (tmp_path / "broken.gz").write_bytes(b"\x1f\x8b\x08\x00broken")
    broken = [line for line in read_log(tmp_path / "broken.gz")]
    assert broken[-1].hit is None and "cannot read" in broken[-1].problem


@pytest.fixture
def site(db: Any) -> Source:
    return add_source(actor=SYSTEM, name="shop", kind="website", every_minutes=0,
                      settings={"allowed_origins": ["https://shop.example"],
                                "ignored_paths": ["/health"], "identify_param": "email"})


def _import(site: Source, path: Path) -> Any:
    return import_weblog(actor=SYSTEM, site=as_website(site), path=path)


def test_import_makes_visits_skips_bots_and_assets_and_reports_bad_lines(
        site: Source, world: Any) -> None:
    report = _import(site, ACCESS_LOG)
    assert report.lines == 18 and report.page_views == 7
    assert (report.captured, report.present, report.updated) == (3, 0, 0)
    assert report.bots == 2  # Googlebot, kube-probe
    assert [item for item, _ in report.rejected] == [
        "access.log line 8", "access.log line 12", "access.log line 16"]
    assert CaptureProblem.objects.filter(source=site).count() == 3
    first, second, third = Visit.objects.order_by("started_at")
    assert [p["path"] for p in first.pages] == [
        "/?utm_source=newsletter&utm_medium=email&utm_campaign=spring-tea",
        "/products/darjeeling", "/pricing"]
    assert first.utm["utm_campaign"] == "spring-tea"
    assert first.referrer == "https://mail.example.net/"
    assert first.landing_url.startswith("https://shop.example/?utm_source=")
    assert first.duration_seconds == 300
    assert [p["path"] for p in second.pages] == ["/contact", "/account/orders"]
    assert [p["path"] for p in third.pages] == ["/blog/brewing-green-tea", "/blog/oolong"]
    assert third.referrer == "https://www.search.example/?q=green+tea"
    # Nobody's address is kept: the visitor is a digest.
    assert not Visitor.objects.filter(key__contains="203.0.113.7").exists()
    # The logged-in user (%u) identified the first visitor: both visits are Ada's,
    # at their own times.
    ada = world.alice_customer
    entries = Interaction.objects.filter(channel="web_visit", participants__customer=ada) \
        .order_by("occurred_at")
    assert [e.occurred_at for e in entries] == [first.started_at, second.started_at]
    assert report.identified == 1 and report.stitched == 2
    assert third.interaction_id is None  # the blog reader stays anonymous


def test_reimport_is_idempotent_and_a_later_log_continues_its_visits(
        site: Source, world: Any, tmp_path: Path) -> None:
    _import(site, ACCESS_LOG)
    again = _import(site, ACCESS_LOG)
    assert (again.captured, again.updated, again.present) == (0, 0, 3)
    assert Visit.objects.count() == 3
    assert Interaction.objects.filter(channel="web_visit").count() == 2
    # The folder with the next (rotated) log: Ada's second visit gains a page; the blog
    # reader comes back from a newsletter link carrying their email (a new campaign, so
    # a new visit) and is identified as Niels, who gets both visits.
    shutil.copy(ACCESS_LOG, tmp_path / "access.log")
    shutil.copy(FIXTURES / "rotated.log", tmp_path / "access.log.1")
    report = _import(site, tmp_path)
    assert (report.captured, report.updated, report.present) == (1, 1, 2)
    ada, niels = world.alice_customer, world.north_customer
    ada_second = Interaction.objects.filter(channel="web_visit", participants__customer=ada) \
        .order_by("occurred_at").last()
    assert [p["path"] for p in ada_second.metadata["pages"]] == [
        "/contact", "/account/orders", "/account/orders/1042"]
    niels_visits = Interaction.objects.filter(channel="web_visit",
                                              participants__customer=niels)
    assert niels_visits.count() == 2
    welcome = Visit.objects.get(utm__utm_campaign="welcome")
    assert "niels" not in welcome.landing_url and "email=" not in welcome.landing_url
    assert (_import(site, tmp_path).captured, Interaction.objects.count()) == \
        (0, Interaction.objects.count())


def test_the_command_prints_a_summary_and_adds_the_site(db: Any, world: Any) -> None:
    out = StringIO()
    call_command("import", "weblog", str(ACCESS_LOG), "--site", "blog", stdout=out)
    text = out.getvalue()
    assert "Added website source 'blog'" in text
    assert "18 lines: 7 page views in 3 visits: 3 captured" in text
    assert "rejected access.log line 8: not in the combined log format" in text
    out = StringIO()
    call_command("import", "weblog", str(ACCESS_LOG), "--site", "blog", stdout=out)
    assert "0 captured, 0 updated with new pages, 3 already present" in out.getvalue()
    with pytest.raises(CommandError, match="--site"):
        call_command("import", "weblog", str(ACCESS_LOG), stdout=StringIO())
    with pytest.raises(CommandError, match="no such file"):
        call_command("import", "weblog", "/nonexistent.log", "--site", "blog",
                     stdout=StringIO())
