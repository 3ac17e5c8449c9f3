"""Web visits as pure rules: sessions, UTM, pages and their times, bots, static files."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from accord.capture.domain.web_visits import (
    MAX_PAGES,
    PageView,
    is_bot,
    is_ignored_path,
    is_static_asset,
    log_visit_key,
    log_visitor_key,
    merge_pages,
    outside_referrer,
    page_from_record,
    sessionise,
    starts_new_visit,
    summarise,
    utm_of,
    visit_subject,
    with_leave,
    without_param,
)

T0 = datetime(2025, 3, 10, 9, 0, tzinfo=UTC)
SITE = "https://shop.example"
CAMPAIGN = f"{SITE}/?utm_source=newsletter&utm_medium=email&utm_campaign=spring&utm_term=tea"


def view(minutes: float, path: str = "/", **kw: object) -> PageView:
    url = path if path.startswith("http") else SITE + path
    return PageView(at=T0 + timedelta(minutes=minutes), url=url, **kw)  # type: ignore[arg-type]


def test_utm_parameters_are_read_and_trimmed() -> None:
    assert utm_of(CAMPAIGN) == {"utm_source": "newsletter", "utm_medium": "email",
                                "utm_campaign": "spring", "utm_term": "tea"}
    assert utm_of(f"{SITE}/pricing?plan=team") == {}
    assert utm_of(f"{SITE}/?UTM_Source=%20x%20&utm_content=") == {"utm_source": "x"}


def test_thirty_minutes_of_quiet_start_a_new_visit() -> None:
    visits = sessionise([view(0), view(10, "/a"), view(40, "/b"), view(70.5, "/c"),
                         view(75, "/d")])
    assert [[v.url.removeprefix(SITE) for v in visit] for visit in visits] == [
        ["/", "/a", "/b"], ["/c", "/d"]]
    # Exactly thirty minutes is still the same visit; the gap is configurable.
    assert len(sessionise([view(0), view(30)])) == 1
    assert len(sessionise([view(0), view(6)], gap=timedelta(minutes=5))) == 2


def test_a_new_campaign_starts_a_new_visit_the_same_one_does_not() -> None:
    other = f"{SITE}/?utm_source=ads&utm_campaign=autumn"
    visits = sessionise([view(0, CAMPAIGN), view(1, "/a"), view(2, CAMPAIGN), view(3, other)])
    assert [len(v) for v in visits] == [3, 1]
    assert starts_new_visit(last_activity=None, at=T0, visit_utm={}, page_url=SITE)


def test_unordered_page_views_are_sorted_first() -> None:
    visits = sessionise([view(5, "/b"), view(0, "/a")])
    assert [v.url for v in visits[0]] == [SITE + "/a", SITE + "/b"]


def test_summary_keeps_landing_utm_outside_referrer_pages_with_times_and_duration() -> None:
    pages = [view(0, CAMPAIGN, title="Welcome", referrer="https://mail.example.net/"),
             view(2, "/products/darjeeling", title="Darjeeling",
                  referrer=CAMPAIGN),
             view(5, "/pricing", title="Pricing")]
    summary = summarise(pages)
    assert summary.started_at == T0 and summary.ended_at == T0 + timedelta(minutes=5)
    assert summary.landing_url == CAMPAIGN and summary.exit_url == SITE + "/pricing"
    assert summary.utm["utm_campaign"] == "spring"
    assert summary.referrer == "https://mail.example.net/"
    assert [p.get("seconds") for p in summary.pages] == [120, 180, None]
    assert [p["path"] for p in summary.pages][1:] == ["/products/darjeeling", "/pricing"]
    assert summary.duration_seconds == 300
    assert visit_subject(summary) == "Welcome (3 pages)"


def test_a_referrer_from_the_site_itself_is_no_referral() -> None:
    assert outside_referrer(f"{SITE}/blog", f"{SITE}/pricing") == ""
    assert outside_referrer("https://search.example/?q=tea", SITE) == "https://search.example/?q=tea"


def test_leaving_measures_the_last_page_and_ends_the_visit_then() -> None:
    pages = [view(0, "/"), view(2, "/pricing")]
    left = with_leave(pages, at=T0 + timedelta(minutes=3, seconds=15))
    assert left[-1].seconds == 75
    summary = summarise(left)
    assert summary.duration_seconds == 195 and summary.pages[-1]["seconds"] == 75
    # Read back from storage, the measured time stays, the derived one is recomputed.
    back = [page_from_record(p) for p in summary.pages]
    assert [p.seconds for p in back if p] == [None, 75]
    # Another page meant, or a tab left open past the gap: nothing measured.
    assert with_leave(pages, at=T0 + timedelta(minutes=3), url=SITE + "/") == pages
    assert with_leave(pages, at=T0 + timedelta(hours=2)) == pages


def test_merging_pages_adds_each_page_once() -> None:
    stored = [view(0, "/"), view(2, "/a")]
    merged = merge_pages(stored, [view(2, "/a"), view(1, "/b"), view(0, "/")])
    assert [v.url.removeprefix(SITE) for v in merged] == ["/", "/b", "/a"]


def test_a_long_visit_lists_its_first_pages_and_counts_the_rest() -> None:
    summary = summarise([view(i / 10, f"/p{i}") for i in range(MAX_PAGES + 5)])
    assert len(summary.pages) == MAX_PAGES and summary.extra_pages == 5
    assert summary.exit_url.endswith(f"/p{MAX_PAGES + 4}")


def test_bots_by_user_agent() -> None:
    assert is_bot("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)")
    assert is_bot("curl/8.5.0") and is_bot("python-requests/2.32.3")
    assert is_bot("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
                  "HeadlessChrome/131.0.0.0 Safari/537.36")
    assert not is_bot("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0")
    assert not is_bot("")


def test_static_assets_and_ignored_paths() -> None:
    for path in ("/static/site.css?v=3", "/app.js", "/img/Logo.PNG", "/favicon.ico",
                 "/fonts/x.woff2"):
        assert is_static_asset(path), path
    for path in ("/", "/pricing", "/blog/v1.2-release", "/products/tea.html"):
        assert not is_static_asset(path), path
    assert is_ignored_path("/admin/login?next=/", ["/admin"])
    assert is_ignored_path("/health", ["/health/"])
    assert not is_ignored_path("/administration", ["/admin"])


def test_log_keys_are_stable_and_do_not_show_the_address() -> None:
    key = log_visitor_key("shop", "203.0.113.7", "Firefox")
    assert key == log_visitor_key("shop", "203.0.113.7", "Firefox")
    assert key != log_visitor_key("shop", "203.0.113.8", "Firefox")
    assert "203.0.113.7" not in key and key.startswith("log:")
    assert log_visit_key(key, T0) == log_visit_key(key, T0)
    assert log_visit_key(key, T0) != log_visit_key(key, T0 + timedelta(seconds=1))


def test_a_parameter_carrying_an_email_is_dropped_from_the_address() -> None:
    assert without_param("/welcome?email=ada%40x.org&utm_source=n", "email") == \
        "/welcome?utm_source=n"
    assert without_param("/welcome?a=1", "") == "/welcome?a=1"
