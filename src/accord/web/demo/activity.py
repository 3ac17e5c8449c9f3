"""Interactions for one chunk: how many each customer has, when, on which channel, in
which direction, and who took part. Pure and vectorised; texts and metadata come from
``content``.

Contact follows the relationship: it starts a month before the first purchase, busier
buyers hear from us more, and it fades out three months after a customer drops out,
which is what a churn model should learn. A few customers are in touch in the last 24
hours, and the chunk's first person has one interaction on every channel there, so the
Customer View's banner has something to show."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from accord.interactions.domain import Channel
from accord.web.demo.content import Content, ContentPools, write_content
from accord.web.demo.plan import HISTORY_DAYS, INTERACTIONS_PER_CUSTOMER, Chunk, utc_text
from accord.web.demo.population import Population
from accord.web.demo.purchases import DAY, Purchases

CHANNELS = tuple(c.value for c in Channel)
DIRECTIONS = ("inbound", "outbound", "internal")
_PERSON_MIX = {"email": .28, "meeting": .04, "call": .12, "sms": .08, "letter": .04, "fax": .01,
               "web_visit": .18, "campaign_response": .08, "note": .07, "chat": .07,
               "survey": .03}
_ORGANISATION_MIX = {"email": .30, "meeting": .15, "call": .18, "sms": .02, "letter": .08,
                     "fax": .04, "web_visit": .05, "campaign_response": .02, "note": .12,
                     "chat": .02, "survey": .02}
# P(inbound), P(outbound), P(internal) per channel.
_DIRECTION_MIX = {"email": (.45, .55, 0), "meeting": (.3, .7, 0), "call": (.5, .5, 0),
                  "sms": (.3, .7, 0), "letter": (.4, .6, 0), "fax": (.6, .4, 0),
                  "web_visit": (1, 0, 0), "campaign_response": (1, 0, 0), "note": (0, 0, 1),
                  "chat": (.9, .1, 0), "survey": (1, 0, 0)}
# The customer's role, inbound / outbound (internal uses the inbound one).
_ROLES = {"email": ("from", "to"), "meeting": ("attendee", "attendee"),
          "call": ("caller", "callee"), "sms": ("sender", "recipient"),
          "letter": ("sender", "recipient"), "fax": ("sender", "recipient"),
          "web_visit": ("visitor", "visitor"), "campaign_response": ("respondent", "respondent"),
          "note": ("subject", "subject"), "chat": ("from", "to"),
          "survey": ("respondent", "respondent")}
# Which identity a channel addresses the customer by.
_ADDRESS_KIND = {"email": "email", "call": "phone", "sms": "phone", "fax": "phone",
                 "letter": "address"}
RECENT_SHARE = 0.04
FADE_AFTER_CHURN = 90 * DAY


@dataclass
class Interactions:
    customer: np.ndarray  # local index, customer-major order
    at: np.ndarray  # int64 seconds since the epoch
    at_text: list[str]  # the same as UTC text, formatted here where a spare core does it
    channel: np.ndarray  # index into CHANNELS
    direction: np.ndarray  # index into DIRECTIONS
    content: Content
    # Participants, grouped by interaction:
    p_interaction: np.ndarray  # index into the interactions above
    p_customer: np.ndarray  # local index, or -1 for an address nobody matched
    p_role: np.ndarray  # object: role names
    p_kind: np.ndarray  # object: identity kind the address is, or ''
    p_address: np.ndarray  # object: the identity's display form, or ''

    @property
    def count(self) -> int:
        return int(self.at.size)


def _times(rng: np.random.Generator, start: np.ndarray, end: np.ndarray,
           channel: np.ndarray) -> np.ndarray:
    """Uniform days in [start, end], at a plausible hour: office hours for staff work,
    evenings too for what customers do on their own (web, chat, surveys)."""
    at = start + (rng.random(start.size) * np.maximum(end - start, 0)).astype(np.int64)
    self_service = np.isin(channel, [CHANNELS.index(c) for c in
                                     ("web_visit", "chat", "survey", "campaign_response")])
    hour = np.where(self_service, rng.integers(7, 23, at.size), rng.integers(8, 18, at.size))
    moment = (at // DAY) * DAY + hour * 3600 + rng.integers(0, 3600, at.size)
    result: np.ndarray = np.where(moment > end, moment - DAY, moment)
    return result


def _draw_channels(rng: np.random.Generator, is_org: np.ndarray) -> np.ndarray:
    person = rng.choice(len(CHANNELS), is_org.size, p=[_PERSON_MIX[c] for c in CHANNELS])
    org = rng.choice(len(CHANNELS), is_org.size, p=[_ORGANISATION_MIX[c] for c in CHANNELS])
    return np.where(is_org, org, person)


def _draw_directions(rng: np.random.Generator, channel: np.ndarray) -> np.ndarray:
    u = rng.random(channel.size)
    mix = np.array([_DIRECTION_MIX[c] for c in CHANNELS])[channel]
    return np.where(u < mix[:, 0], 0, np.where(u < mix[:, 0] + mix[:, 1], 1, 2))


def generate_interactions(chunk: Chunk, pop: Population, buys: Purchases,
                          rng: np.random.Generator, pools: ContentPools,
                          as_of: int) -> Interactions:
    n = pop.count
    born = as_of - (pop.since_days * DAY).astype(np.int64)
    liveliness = np.where(pop.buyer, 0.4 + 0.6 * buys.rate / max(buys.rate.mean(), 1e-9), 0.5)
    expected = INTERACTIONS_PER_CUSTOMER * liveliness / liveliness.mean()
    count = rng.poisson(expected)
    customer = np.repeat(np.arange(n), count)
    start = np.maximum(born - 30 * DAY, as_of - (HISTORY_DAYS + 30) * DAY)[customer]
    end = np.where(buys.churned_at >= 0,
                   np.minimum(buys.churned_at + FADE_AFTER_CHURN, as_of), as_of)[customer]
    channel = _draw_channels(rng, pop.is_org[customer])
    at = _times(rng, start, end, channel)

    # In touch during the last day: some live customers, and a showcase person.
    alive = np.flatnonzero(buys.churned_at < 0)
    recent = alive[rng.random(alive.size) < RECENT_SHARE]
    recent = np.repeat(recent, rng.integers(1, 4, recent.size))
    recent_channel = _draw_channels(rng, pop.is_org[recent])
    showcase = np.flatnonzero(~pop.is_org)[:1] if chunk.index == 0 else np.zeros(0, np.int64)
    every = np.arange(len(CHANNELS))
    customer = np.r_[customer, recent, np.repeat(showcase, every.size)]
    channel = np.r_[channel, recent_channel, np.tile(every, showcase.size)]
    recent_at = as_of - rng.integers(60, DAY - 60, recent.size)
    showcase_at = as_of - np.tile((every + 1) * 7_000, showcase.size) \
        - rng.integers(0, 600, showcase.size * every.size)
    at = np.r_[at, recent_at, showcase_at]

    order = np.lexsort((at, customer))
    customer, at, channel = customer[order], at[order], channel[order]
    direction = _draw_directions(rng, channel)
    content = write_content(pop, buys, customer, at, channel, direction, rng, pools)
    parts = _participants(pop, rng, customer, channel, direction)
    return Interactions(customer, at, utc_text(at), channel, direction, content, *parts)


def _participants(pop: Population, rng: np.random.Generator, customer: np.ndarray,
                  channel: np.ndarray, direction: np.ndarray) -> tuple[np.ndarray, ...]:
    count = customer.size
    names = np.array(CHANNELS, dtype=object)[channel]
    inbound_role = np.array([_ROLES[c][0] for c in CHANNELS], dtype=object)
    outbound_role = np.array([_ROLES[c][1] for c in CHANNELS], dtype=object)
    role = np.where(direction == 1, outbound_role[channel], inbound_role[channel])
    shown = {kind: np.array([i.display if i else "" for i in getattr(pop, kind)], dtype=object)
             for kind in ("email", "phone", "address")}
    kind = np.array([_ADDRESS_KIND.get(c, "") for c in CHANNELS], dtype=object)[channel]
    address = np.full(count, "", dtype=object)
    for k, displays in shown.items():
        hit = kind == k
        address[hit] = displays[customer[hit]]
    kind = np.where(address == "", "", kind)

    # Colleagues copied on emails and joining meetings; strangers on a few emails.
    colleague = pop.colleague[customer]
    is_email, is_meeting = names == "email", names == "meeting"
    cc = np.flatnonzero(is_email & (direction == 1) & (colleague >= 0)
                        & (rng.random(count) < 0.15))
    cc = cc[shown["email"][colleague[cc]] != ""]
    joins = np.flatnonzero(is_meeting & (colleague >= 0) & (rng.random(count) < 0.4))
    strangers = np.flatnonzero(is_email & (rng.random(count) < 0.03))
    stranger_address = np.array([f"assistant{k}@partner.example.net" for k in range(1000)],
                                dtype=object)[rng.integers(0, 1000, strangers.size)]

    p_interaction = np.r_[np.arange(count), cc, joins, strangers]
    p_customer = np.r_[customer, colleague[cc], colleague[joins],
                       np.full(strangers.size, -1)]
    p_role = np.r_[role, np.full(cc.size, "cc", dtype=object),
                   np.full(joins.size, "attendee", dtype=object),
                   np.full(strangers.size, "cc", dtype=object)]
    p_kind = np.r_[kind, np.full(cc.size, "email", dtype=object),
                   np.full(joins.size, "", dtype=object),
                   np.full(strangers.size, "email", dtype=object)]
    p_address = np.r_[address, shown["email"][colleague[cc]],
                      np.full(joins.size, "", dtype=object), stranger_address]
    order = np.argsort(p_interaction, kind="stable")
    return (p_interaction[order], p_customer[order], p_role[order], p_kind[order],
            p_address[order])
