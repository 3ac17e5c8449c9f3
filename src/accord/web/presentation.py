"""Presentation helpers for the pages: channel icons and labels, metadata that may be
any JSON shape, durations and money. Pure formatting; no queries, no template engine:
``accord.web.jinja`` registers them as the templates' filters and globals."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from markupsafe import Markup

from accord.interactions.domain import describe

# Hand-drawn 24x24 stroke icons (currentColor), so no icon font or CDN is needed.
_ICONS: dict[str, str] = {
    "email": '<rect x="3" y="5" width="18" height="14" rx="2"/><path d="M3 7l9 6 9-6"/>',
    "call": '<path d="M5 4h3l2 5-2.5 1.5a11 11 0 0 0 5 5L14 13l5 2v3a2 2 0 0 1-2 2'
            'A15 15 0 0 1 3 6a2 2 0 0 1 2-2z"/>',
    "meeting": '<rect x="3" y="5" width="18" height="16" rx="2"/><path d="M3 10h18M8 3v4M16 3v4"/>',
    "sms": '<path d="M4 5h16a1 1 0 0 1 1 1v10a1 1 0 0 1-1 1H9l-5 4v-4a1 1 0 0 1-1-1V6'
           'a1 1 0 0 1 1-1z"/>',
    "letter": '<path d="M6 3h9l4 4v14H6z"/><path d="M15 3v4h4M9 12h7M9 16h7"/>',
    "fax": '<rect x="6" y="3" width="12" height="6"/><rect x="3" y="9" width="18" height="8" '
           'rx="1"/><rect x="7" y="14" width="10" height="7"/>',
    "web_visit": '<circle cx="12" cy="12" r="9"/><path d="M3 12h18M12 3a14 14 0 0 1 0 18'
                 'a14 14 0 0 1 0-18z"/>',
    "campaign_response": '<path d="M3 10v4h3l7 4V6l-7 4z"/><path d="M16 9a4 4 0 0 1 0 6"/>'
                         '<path d="M18.5 6.5a7.5 7.5 0 0 1 0 11"/>',
    "note": '<path d="M4 20l1-4L16 5l3 3L8 19z"/><path d="M14 7l3 3"/>',
    "chat": '<path d="M3 5h12v8H8l-3 3v-3H3z"/><path d="M17 9h4v8h-2v3l-3-3h-5v-2"/>',
    "survey": '<rect x="5" y="4" width="14" height="17" rx="2"/><rect x="9" y="2" width="6" '
              'height="4" rx="1"/><path d="M9 13l2 2 4-4"/>',
    "home": '<path d="M3 11l9-7 9 7v9a1 1 0 0 1-1 1h-5v-6h-6v6H4a1 1 0 0 1-1-1z"/>',
    "users": '<circle cx="9" cy="8" r="4"/><path d="M2 21a7 7 0 0 1 14 0M16 4a4 4 0 0 1 0 8'
             'M18 14a6 6 0 0 1 4 7"/>',
    "search": '<circle cx="11" cy="11" r="7"/><path d="M16 16l5 5"/>',
    "logout": '<path d="M9 21H5a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2h4M16 17l5-5-5-5M21 12H9"/>',
    "paperclip": '<path d="M20 11l-8.5 8.5a5 5 0 0 1-7-7L13 4a3.5 3.5 0 0 1 5 5l-8.5 8.5'
                 'a2 2 0 0 1-3-3L14 7"/>',
    "inbound": '<path d="M17 7L7 17M15 17H7V9"/>',
    "outbound": '<path d="M7 17L17 7M9 7h8v8"/>',
    "internal": '<circle cx="12" cy="12" r="3"/>',
    "shield": '<path d="M12 3l8 3v6c0 5-3.5 8-8 9-4.5-1-8-4-8-9V6z"/>',
    "clock": '<circle cx="12" cy="12" r="9"/><path d="M12 7v5l3 2"/>',
    "building": '<rect x="4" y="3" width="16" height="18" rx="1"/><path d="M9 7h2M13 7h2M9 11h2'
                'M13 11h2M9 15h2M13 15h2"/>',
    "person": '<circle cx="12" cy="8" r="4"/><path d="M4 21a8 8 0 0 1 16 0"/>',
}
_CURRENCY_SYMBOLS = {"GBP": "£", "EUR": "€", "USD": "$", "JPY": "¥", "INR": "₹", "CHF": "CHF "}

# Safe: every shape is a constant of this module, nothing comes from a request.
_SPRITE = Markup(
    '<svg xmlns="http://www.w3.org/2000/svg" aria-hidden="true" '
    'style="position:absolute;width:0;height:0;overflow:hidden">'
    + "".join(
        f'<symbol id="i-{name}" viewBox="0 0 24 24" fill="none" stroke="currentColor" '
        f'stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round">{shapes}</symbol>'
        for name, shapes in {**_ICONS, "dot": '<circle cx="12" cy="12" r="4"/>'}.items())
    + "</svg>")


@lru_cache(maxsize=256)  # a page asks for the same few (name, size) pairs dozens of times
def icon(name: str, size: int = 18) -> Markup:
    """An icon from the page's sprite (see ``icon_sprite``): a few bytes per use, so a
    timeline of thirty entries does not repeat thirty copies of the same paths."""
    symbol = name if name in _ICONS else "dot"
    return Markup('<svg class="icon" width="{}" height="{}" aria-hidden="true">'
                  '<use href="#i-{}"></use></svg>').format(size, size, symbol)


def icon_sprite() -> Markup:
    """Every icon once, as <symbol>s, for the base template."""
    return _SPRITE


def channel_label(channel: str) -> str:
    """'web_visit' -> 'Web visit'."""
    return str(channel).replace("_", " ").capitalize().replace("Sms", "SMS")


def describe_interaction(item: Any) -> str:
    """'email sent', 'call received', 'meeting' (the banner's vocabulary)."""
    text = describe(item.channel, item.direction)
    return text[:1].upper() + text[1:]


def meta(item: Any, key: str) -> Any:
    """item.metadata[key], tolerating metadata that is not an object."""
    data = getattr(item, "metadata", None)
    return data.get(key) if isinstance(data, dict) else None


def as_list(value: Any) -> list[Any]:
    """Metadata lists may arrive as a list, a single value, or nothing."""
    if value is None or value == "":
        return []
    if isinstance(value, dict):  # {"question": "answer"} reads best as lines
        return [f"{k}: {v}" for k, v in value.items()]
    if isinstance(value, list | tuple):
        return list(value)
    return [value]


def label_of(value: Any) -> str:
    """A page, attendee or answer may be a string or an object: pick its best label."""
    if isinstance(value, dict):
        for key in ("title", "name", "label", "path", "url", "email", "question", "text"):
            if value.get(key):
                return str(value[key])
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    return str(value)


def speaker(message: Any) -> str:
    """Who wrote one chat message, when the transcript says."""
    if isinstance(message, dict):
        for key in ("from", "author", "sender", "name"):
            if message.get(key):
                return str(message[key])
    return ""


def message_text(message: Any) -> str:
    """What one chat message said, whatever shape the transcript gave it."""
    if isinstance(message, dict) and message.get("text"):
        return str(message["text"])
    return label_of(message)


def duration(seconds: Any) -> str:
    """95 -> '1m 35s'; 3725 -> '1h 2m'. Non-numbers render as nothing."""
    try:
        total = int(float(seconds))
    except (TypeError, ValueError):
        return ""
    if total < 0:
        return ""
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h {minutes}m"
    if minutes:
        return f"{minutes}m {secs:02d}s" if secs else f"{minutes}m"
    return f"{secs}s"


def money(amount: Any, currency: str) -> str:
    """Decimal('1234.5'), 'GBP' -> '£1,234.50'; unknown currencies keep their code."""
    try:
        value = Decimal(amount)
    except (TypeError, ValueError, InvalidOperation):
        return f"{amount} {currency}"
    sign = "\u2212" if value < 0 else ""  # a true minus sign lines up with digits
    text = f"{abs(value):,.2f}"
    symbol = _CURRENCY_SYMBOLS.get(currency)
    return f"{sign}{symbol}{text}" if symbol else f"{sign}{text} {currency}"


def quantity(value: Any) -> str:
    """Decimal('2.000') -> '2', Decimal('1.500') -> '1.5'."""
    try:
        number = Decimal(value)
    except (TypeError, ValueError, InvalidOperation):
        return str(value)
    text = f"{number:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def initials(name: str) -> str:
    """'Ada Lovelace' -> 'AL', for avatars."""
    words = [w for w in str(name).split() if w[:1].isalnum()]
    return "".join(w[0] for w in words[:2]).upper() or "?"
