"""Query-string forms of the pages. They turn raw GET parameters into the keyword
arguments selectors take, so bad input becomes a message next to its field (400), never
an exception deep in a selector (500)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings

from accord.customers.domain.kinds import CustomerKind
from accord.interactions.domain import Channel, Direction
from accord.platform.errors import AccordError

# Cursors are short base64 JSON; anything longer is not one we issued.
MAX_CURSOR = 500
EARLIEST, LATEST = date(1900, 1, 1), date(2999, 12, 31)


def _label(value: str) -> str:
    return value.replace("_", " ").capitalize().replace("Sms", "SMS")


CHANNEL_CHOICES = [(c.value, _label(c.value)) for c in Channel]


class AccordForm(forms.Form):
    def add_accord_error(self, exc: AccordError) -> None:
        """Show a selector's InvalidInput next to the field it names, if we have it."""
        self.add_error(exc.field if exc.field in self.fields else None, exc.message)


class CustomerSearchForm(AccordForm):
    q = forms.CharField(required=False, max_length=200, strip=True,
                        label="Name, email, phone or id")
    kind = forms.ChoiceField(required=False, choices=[("", "People and organisations")]
                             + [(k.value, _label(k.value) + "s") for k in CustomerKind])
    mine = forms.BooleanField(required=False, label="Only mine")
    cursor = forms.CharField(required=False, max_length=MAX_CURSOR)


class TimelineFilterForm(AccordForm):
    channel = forms.MultipleChoiceField(
        required=False, choices=CHANNEL_CHOICES,
        widget=forms.CheckboxSelectMultiple)
    direction = forms.ChoiceField(
        required=False,
        choices=[("", "Any direction")] + [(d.value, _label(d.value)) for d in Direction])
    since = forms.DateField(required=False, label="From",
                            widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, label="To",
                            widget=forms.DateInput(attrs={"type": "date"}))
    cursor = forms.CharField(required=False, max_length=MAX_CURSOR, widget=forms.HiddenInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        # Far-off years overflow time-zone arithmetic; nobody filters a CRM by year 9999.
        for name, day in (("since", since), ("until", until)):
            if day and not EARLIEST <= day <= LATEST:
                self.add_error(name, f"Pick a date between {EARLIEST.year} and {LATEST.year}.")
                data.pop(name, None)
                since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", "The end date is before the start date.")
        return data

    def channel_chips(self) -> list[tuple[str, str, bool]]:
        """(value, label, checked) for each channel chip, computed once per render."""
        raw = self.data.getlist("channel") if hasattr(self.data, "getlist") else []
        chosen = set(raw)
        return [(value, label, value in chosen) for value, label in CHANNEL_CHOICES]

    def is_filtered(self) -> bool:
        data = self.cleaned_data if self.is_bound and hasattr(self, "cleaned_data") else {}
        return any(data.get(k) for k in ("channel", "direction", "since", "until"))

    def shows_newest(self) -> bool:
        """Valid, unfiltered and not scrolled: the page starts at the newest interaction."""
        return self.is_valid() and not self.is_filtered() and not self.cleaned_data.get("cursor")

    def selector_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for interactions.selectors.timeline. Dates are whole days in
        the site's time zone; 'To' includes its day (the selector's bound is exclusive)."""
        data = self.cleaned_data
        return {
            "channels": data.get("channel") or (),
            "direction": data.get("direction") or None,
            "since": _start_of(data["since"]) if data.get("since") else None,
            "until": _start_of(data["until"] + timedelta(days=1)) if data.get("until") else None,
            "cursor": data.get("cursor") or None,
        }


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(settings.TIME_ZONE))
