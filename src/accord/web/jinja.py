"""The Jinja2 environment of Accord's pages (ADR 0007), named in settings.TEMPLATES.

Templates get ``url`` and ``static`` as Django's template tags would, the presentation
helpers, and the few Django filters they use wrapped as Jinja filters so the output is
what Django's engine printed (its time zone, its truncation, its plurals). Autoescaping is
always on: user data is escaped unless it is Markup (``icon``, ``csrf_input``) or Django
marked it safe.

Adding a filter: write it as a plain function in ``presentation.py`` (or wrap Django's
below) and add it to ``FILTERS``; globals (called as ``name(...)``) go in ``GLOBALS``."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from django.template import defaultfilters
from django.templatetags.static import static
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import dateformat
from django.utils.safestring import SafeString
from django.utils.timezone import template_localtime  # type: ignore[attr-defined]  # not in django-stubs
from jinja2 import Environment, pass_eval_context
from jinja2.nodes import EvalContext

from accord.web import presentation, presentation_meetings


def url(viewname: str, *args: Any) -> str:
    """{% url 'web:customer' pk %} as ``url('web:customer', pk)``."""
    return _reverse(viewname, args, get_script_prefix(), get_urlconf())


# Django's reverse() costs tens of microseconds and a page asks for the same few URLs
# again and again. The answer depends only on these arguments (Accord has no
# i18n_patterns; add the language to the key if it ever does).
@lru_cache(maxsize=4096)
def _reverse(viewname: str, args: tuple[Any, ...], prefix: str, urlconf: str | None) -> str:
    return reverse(viewname, urlconf=urlconf, args=args or None)


def date(value: Any, arg: str) -> str:
    """Django's |date with a format string ('j M Y', 'c'), in the current time zone as
    Django's engine converts it (named formats such as DATE_FORMAT are not looked up)."""
    if value in (None, ""):
        return ""
    try:
        return dateformat.format(template_localtime(value), arg)
    except AttributeError:  # not a date: print nothing, as Django's filter does
        return ""


def truncatechars(value: Any, length: int) -> str:
    """Django's |truncatechars, without its work for the usual text that fits."""
    text = str(value)
    if len(text) <= length:  # never cut: Django returns it NFC-normalised
        return unicodedata.normalize("NFC", text)
    return str(defaultfilters.truncatechars(text, length))


@pass_eval_context
def linebreaksbr(eval_ctx: EvalContext, value: Any) -> SafeString:
    """Django's |linebreaksbr: escapes the text (unless it is markup already), then <br>s;
    Django marks the result safe, which Jinja respects."""
    escape = eval_ctx.autoescape and not hasattr(value, "__html__")
    return defaultfilters.linebreaksbr(value, autoescape=escape)


GLOBALS: dict[str, Callable[..., Any]] = {
    "url": url,
    "static": static,
    "icon": presentation.icon,
    "icon_sprite": presentation.icon_sprite,
}

FILTERS: dict[str, Callable[..., Any]] = {
    # Django's filters; Jinja's own of the same name behave differently
    # (|truncate counts words, |filesizeformat uses kB, |capitalize lowers the rest).
    "date": date,
    "timesince": defaultfilters.timesince_filter,
    "pluralize": defaultfilters.pluralize,
    "capfirst": defaultfilters.capfirst,
    "truncatechars": truncatechars,
    "filesizeformat": defaultfilters.filesizeformat,
    "linebreaksbr": linebreaksbr,
    # Accord's presentation helpers.
    "channel_label": presentation.channel_label,
    "describe_interaction": presentation.describe_interaction,
    "meta": presentation.meta,
    "as_list": presentation.as_list,
    "label_of": presentation.label_of,
    "speaker": presentation.speaker,
    "message_text": presentation.message_text,
    "duration": presentation.duration,
    "money": presentation.money,
    "quantity": presentation.quantity,
    "initials": presentation.initials,
    "meeting_view": presentation_meetings.meeting_view,
}


def environment(**options: Any) -> Environment:
    """Called by Django's Jinja2 backend with its options (loader, auto_reload, undefined)."""
    options["autoescape"] = True  # not a setting: the pages print user data
    # Keep each template's final newline, as Django's engine did, so includes join up
    # into the same HTML.
    options.setdefault("keep_trailing_newline", True)
    env = Environment(**options)
    env.globals.update(GLOBALS)
    env.filters.update(FILTERS)
    return env
