"""The pages' Jinja2 environment: escaping, and Django's filters giving Django's output."""

from __future__ import annotations

from datetime import UTC, datetime

from django.template import defaultfilters, engines
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st
from markupsafe import Markup

from accord.web import jinja


def render(source: str, **context: object) -> str:
    return engines["jinja2"].from_string(source).render(context)


def test_user_data_is_escaped_and_icons_are_not() -> None:
    html = render("{{ name }}{{ icon('email', 12) }}", name='<script>"x"</script>')
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert html.endswith('<svg class="icon" width="12" height="12" aria-hidden="true">'
                         '<use href="#i-email"></use></svg>')


def test_helpers_that_return_html_return_markup() -> None:
    assert isinstance(jinja.GLOBALS["icon"]("nonsense<"), Markup)
    assert "nonsense" not in jinja.GLOBALS["icon"]("nonsense<")  # unknown names: a dot
    assert isinstance(jinja.GLOBALS["icon_sprite"](), Markup)


def test_linebreaksbr_escapes_then_breaks() -> None:
    assert render("{{ text|linebreaksbr }}", text="a<b>\nc") == "a&lt;b&gt;<br>c"


def test_date_is_shown_in_the_current_time_zone_like_djangos_engine() -> None:
    moment = datetime(2026, 7, 1, 23, 30, tzinfo=UTC)
    django_engine = engines["django"].from_string('{{ d|date:"j M Y H:i" }} {{ d|date:"c" }}')
    with timezone.override("Europe/London"):
        ours = render('{{ d|date("j M Y H:i") }} {{ d|date("c") }}', d=moment)
        assert ours == django_engine.render({"d": moment})
        assert ours.startswith("2 Jul 2026 00:30")
    assert render("{{ d|date('j M Y') }}", d=None) == ""


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=30), st.integers(0, 25))
def test_truncatechars_matches_djangos(text: str, length: int) -> None:
    assert jinja.truncatechars(text, length) == defaultfilters.truncatechars(text, length)


def test_url_reverses_like_the_url_tag() -> None:
    assert render("{{ url('web:customer', 7) }}") == reverse("web:customer", args=[7])
    assert render("{{ url('web:customers') }}") == reverse("web:customers")
