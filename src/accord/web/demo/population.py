"""One chunk of demo customers: organisations, the people in them, consumers on their own,
who owns them, and their identities. Pure: numpy draws from the chunk's random stream.

Local indices run organisations first, then people; writers turn them into ids."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from accord.web.demo import identities as ids
from accord.web.demo.plan import HISTORY_DAYS, TEAMS, Chunk, staff_of_team
from accord.web.demo.vocabulary import (
    COMPANY_SUFFIXES,
    COMPANY_TRADES,
    COMPANY_WORDS,
    FAMILY_NAMES,
    GIVEN_NAMES,
)

ORGANISATION_SHARE = 0.08
MEMBER_SHARE = 0.6  # people who work for one of the chunk's organisations
LANGUAGES = ("en", "cy", "ga", "fr", "de", "pl")
LANGUAGE_WEIGHTS = (0.88, 0.03, 0.02, 0.03, 0.02, 0.02)
PREFERRED = ("email", "call", "sms", "letter", "")
PREFERRED_WEIGHTS = (0.45, 0.2, 0.1, 0.05, 0.2)


@dataclass
class Population:
    chunk: Chunk
    is_org: np.ndarray  # bool
    given: list[str]
    family: list[str]
    display: list[str]
    organisation: np.ndarray  # local index of the person's organisation, or -1
    colleague: np.ndarray  # local index of someone in the same organisation, or -1
    team: np.ndarray  # index into TEAMS, or -1
    owner: np.ndarray  # index into STAFF, or -1
    lifecycle: list[str]
    preferred_channel: list[str]
    language: list[str]
    identities: list[list[ids.DemoIdentity]]
    email: list[ids.DemoIdentity | None]  # the first of each kind: participants' addresses
    phone: list[ids.DemoIdentity | None]
    address: list[ids.DemoIdentity | None]
    since_days: np.ndarray  # how many days before 'now' the relationship began
    buyer: np.ndarray  # bool: lifecycle 'customer', has purchases

    @property
    def count(self) -> int:
        return len(self.display)


def _colleagues(org_of_person: np.ndarray, people: np.ndarray, n: int) -> np.ndarray:
    """Each member's colleague: the next member of the same organisation, cyclically."""
    colleague = np.full(n, -1, dtype=np.int64)
    members = people[org_of_person >= 0]
    if members.size < 2:
        return colleague
    orgs = org_of_person[org_of_person >= 0]
    order = np.argsort(orgs, kind="stable")
    members, orgs = members[order], orgs[order]
    pos = np.arange(members.size)
    first = np.r_[True, orgs[1:] != orgs[:-1]]
    group_start = np.maximum.accumulate(np.where(first, pos, 0))
    has_next = np.r_[orgs[1:] == orgs[:-1], False]
    nxt = np.where(has_next, pos + 1, group_start)
    colleague[members] = np.where(nxt != pos, members[nxt], -1)
    return colleague


def _owners(rng: np.random.Generator, team: np.ndarray, share: float) -> np.ndarray:
    owner = np.full(team.size, -1, dtype=np.int64)
    for t, name in enumerate(TEAMS):
        pool = np.array(staff_of_team(name))
        picked = (team == t) & (rng.random(team.size) < share)
        owner[picked] = pool[rng.integers(0, pool.size, int(picked.sum()))]
    return owner


def generate_population(chunk: Chunk, rng: np.random.Generator) -> Population:
    n = chunk.count
    n_org = round(n * ORGANISATION_SHARE) if n >= 5 else 0
    is_org = np.arange(n) < n_org
    people = np.arange(n_org, n)

    org_of = np.full(n, -1, dtype=np.int64)
    if n_org:
        weights = rng.lognormal(0.0, 1.0, n_org)
        joined = rng.random(people.size) < MEMBER_SHARE
        org_of[people[joined]] = rng.choice(n_org, size=int(joined.sum()),
                                            p=weights / weights.sum())
    colleague = _colleagues(org_of[people], people, n)

    # Accounts (organisations and consumers) get a team and an owner; members inherit.
    team = np.where(is_org, rng.choice(3, n, p=(0.4, 0.4, 0.2)), rng.choice(2, n))
    team[rng.random(n) < 0.04] = -1  # a few records nobody has claimed yet
    owner = _owners(rng, team, 0.85)
    member = org_of >= 0
    team[member] = team[org_of[member]]
    inherit = member & (rng.random(n) < 0.8)
    own_pick = _owners(rng, team, 0.9)
    owner[member] = np.where(inherit[member], owner[org_of[member]], own_pick[member])

    buyer = rng.random(n) < np.where(is_org, 0.9, 0.85)
    since_days = rng.random(n) * HISTORY_DAYS
    since_days[~buyer] *= 0.3  # leads and prospects are recent
    lifecycle = np.where(buyer, "customer", np.where(rng.random(n) < 0.6, "lead", "prospect"))
    preferred = rng.choice(len(PREFERRED), n, p=PREFERRED_WEIGHTS)
    language = rng.choice(len(LANGUAGES), n, p=LANGUAGE_WEIGHTS)

    given_ix = rng.integers(0, len(GIVEN_NAMES), n).tolist()
    family_ix = rng.integers(0, len(FAMILY_NAMES), n).tolist()
    word_ix = rng.integers(0, len(COMPANY_WORDS), n).tolist()
    trade_ix = rng.integers(0, len(COMPANY_TRADES), n).tolist()
    suffix_ix = rng.integers(0, len(COMPANY_SUFFIXES), n).tolist()
    has = rng.random((n, 4))  # email, phone, address, external id
    styles = rng.integers(0, 1000, (n, 4))

    pop = Population(
        chunk=chunk, is_org=is_org, given=[], family=[], display=[], organisation=org_of,
        colleague=colleague, team=team, owner=owner, lifecycle=lifecycle.tolist(),
        preferred_channel=[PREFERRED[i] for i in preferred],
        language=[LANGUAGES[i] for i in language], identities=[], email=[], phone=[],
        address=[], since_days=since_days, buyer=buyer)
    domains: dict[int, str] = {}
    # Plain lists: indexing numpy arrays one element at a time is slow in a Python loop.
    org_list, has_list, style_list = org_of.tolist(), has.tolist(), styles.tolist()
    for local, (is_organisation, h, style) in enumerate(
            zip(is_org.tolist(), has_list, style_list, strict=True)):
        g = chunk.start + local
        if is_organisation:
            word, trade = COMPANY_WORDS[word_ix[local]], COMPANY_TRADES[trade_ix[local]]
            name = f"{word} {trade} {COMPANY_SUFFIXES[suffix_ix[local]]}".strip()
            pop.given.append("")
            pop.family.append("")
            pop.display.append(name)
            domains[local] = ids.organisation_domain(word, trade, g)
            email = ids.organisation_email(domains[local], g, style[0]) if h[0] < 0.9 else None
            phone = ids.landline_phone(g, style[1]) if h[1] < 0.9 else None
            address = ids.postal_address(g, style[2]) if h[2] < 0.8 else None
            external = ids.external_id("erp:ACC-", g, style[3]) if h[3] < 0.7 else None
        else:
            given, family = GIVEN_NAMES[given_ix[local]], FAMILY_NAMES[family_ix[local]]
            pop.given.append(given)
            pop.family.append(family)
            pop.display.append(f"{given} {family}")
            org = org_list[local]
            work_domain = domains.get(org) if org >= 0 and h[0] < 0.7 else None
            email = ids.person_email(given, family, g, style[0], work_domain) \
                if h[0] < 0.95 else None
            phone = ids.mobile_phone(g, style[1]) if h[1] < 0.7 else None
            address = ids.postal_address(g, style[2]) if h[2] < 0.5 else None
            external = ids.external_id("shop:C-", g, style[3]) if h[3] < 0.4 else None
        pop.identities.append([i for i in (email, phone, address, external) if i is not None])
        pop.email.append(email)
        pop.phone.append(phone)
        pop.address.append(address)
    return pop

