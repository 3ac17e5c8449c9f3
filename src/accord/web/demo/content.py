"""What each demo interaction says: subjects, texts, email threads, and the metadata each
channel carries (call durations and dispositions, meeting places and attendees, pages and
UTM tags of web visits, campaigns, survey scores).

Most of it is picked from pools rendered once per run (so generating ten million rows
costs array indexing, not string formatting); emails and meetings are personalised."""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np

from accord.web.demo import vocabulary as words
from accord.web.demo.plan import STAFF
from accord.web.demo.population import Population
from accord.web.demo.purchases import DAY, PRODUCTS, Purchases

POOL = 256
THREAD_GAP = 5 * DAY  # an email more than five days after the last one starts a new thread
MEETING_TOPICS = ("Quarterly review", "Product demonstration", "Contract renewal",
                  "Site visit", "Introductory meeting", "Complaint follow-up")
CALL_TOPICS = ("a late delivery", "an invoice", "the maintenance plan", "a quote",
               "a product fault", "their account", "a renewal")
LETTER_SUBJECTS = ("Contract renewal", "Statement of account", "Complaint", "Signed order form",
                   "Change of address")


@dataclass(frozen=True)
class ContentPools:
    """Rendered once per run from the plan's vocabulary stream; shared by every chunk."""

    email_subjects: np.ndarray
    bodies_out: np.ndarray
    bodies_in: np.ndarray
    call_text: np.ndarray  # [direction][k]
    call_meta: np.ndarray  # [direction][k]
    sms_text: np.ndarray  # [direction][k]
    paper_meta: np.ndarray  # letters and faxes: pages
    letter_subjects: np.ndarray
    letter_text: np.ndarray
    web_meta: np.ndarray
    campaign_subject: np.ndarray
    campaign_meta: np.ndarray
    note_text: np.ndarray
    chat_text: np.ndarray
    chat_meta: np.ndarray
    survey_text: np.ndarray  # by score 0..10
    survey_meta: np.ndarray  # by score 0..10


def _pick(rng: np.random.Generator, options: tuple[str, ...] | list[str], size: int = POOL
          ) -> list[str]:
    return [options[i] for i in rng.integers(0, len(options), size)]


def _objects(items: list[str]) -> np.ndarray:
    array = np.empty(len(items), dtype=object)
    array[:] = items
    return array


def build_pools(rng: np.random.Generator) -> ContentPools:
    product = _pick(rng, [name for _, name, _ in PRODUCTS], POOL * 2)
    subjects = [t.format(order=f"SO-{rng.integers(0, 99999):05d}-{rng.integers(0, 9999):06d}",
                         product=product[i], invoice=f"INV-{rng.integers(10000, 99999)}",
                         year=int(rng.integers(2023, 2027)))
                for i, t in enumerate(_pick(rng, words.EMAIL_SUBJECTS))]
    bodies_out = [t.format(product=product[i])
                  for i, t in enumerate(_pick(rng, words.EMAIL_BODIES))]
    bodies_in = [t.format(product=product[-i - 1])
                 for i, t in enumerate(_pick(rng, words.INBOUND_BODIES))]
    call_text, call_meta = [], []
    for inbound in (True, False):
        texts, metas = [], []
        for _ in range(POOL):
            disposition = words.CALL_DISPOSITIONS[rng.integers(0, len(words.CALL_DISPOSITIONS))]
            talked = disposition in ("answered", "callback_requested")
            duration = int(rng.lognormal(5.2, 0.7)) if talked else \
                (int(rng.integers(15, 50)) if disposition == "voicemail" else 0)
            wait = int(rng.lognormal(3.3, 0.9)) if inbound else 0
            topic = CALL_TOPICS[rng.integers(0, len(CALL_TOPICS))]
            texts.append(f"{'Called in about' if inbound else 'Called them about'} {topic}."
                         if talked else f"No conversation ({disposition.replace('_', ' ')}).")
            metas.append(json.dumps({"duration_seconds": duration, "wait_seconds": wait,
                                     "disposition": disposition}))
        call_text.append(texts)
        call_meta.append(metas)
    sms_text = [_pick(rng, words.SMS_INBOUND), _pick(rng, words.SMS_OUTBOUND)]
    sms_text = [[t.format(order=f"SO-{rng.integers(0, 99999):05d}") for t in side]
                for side in sms_text]
    web_meta = []
    for _ in range(POOL * 2):
        pages = [p.format(sku=PRODUCTS[rng.integers(0, len(PRODUCTS))][0]) for p in
                 _pick(rng, words.WEB_PAGES, int(rng.integers(1, 7)))]
        meta: dict[str, object] = {"pages": pages}
        if rng.random() < 0.4:
            source, medium = words.UTM_SOURCES[rng.integers(0, len(words.UTM_SOURCES))]
            meta["utm"] = {"source": source, "medium": medium,
                           "campaign": words.CAMPAIGNS[rng.integers(0, len(words.CAMPAIGNS))]}
        web_meta.append(json.dumps(meta))
    campaigns = _pick(rng, words.CAMPAIGNS)
    responses = _pick(rng, words.CAMPAIGN_RESPONSES)
    chats = _pick(rng, words.CHAT_TOPICS)
    agents = _pick(rng, [s.username for s in STAFF if s.role == "consultant"])
    bands = words.SURVEY_COMMENTS  # best to worst
    return ContentPools(
        email_subjects=_objects(subjects), bodies_out=_objects(bodies_out),
        bodies_in=_objects(bodies_in), call_text=np.array(call_text, dtype=object),
        call_meta=np.array(call_meta, dtype=object), sms_text=np.array(sms_text, dtype=object),
        paper_meta=_objects([json.dumps({"pages": int(k)}) for k in rng.integers(1, 6, POOL)]),
        letter_subjects=_objects(_pick(rng, LETTER_SUBJECTS)),
        letter_text=_objects(_pick(rng, words.LETTER_TEXTS)),
        web_meta=_objects(web_meta),
        campaign_subject=_objects([f"Campaign: {c}" for c in campaigns]),
        campaign_meta=_objects([json.dumps({"campaign": c, "response": r})
                                for c, r in zip(campaigns, responses, strict=True)]),
        note_text=_objects(_pick(rng, words.NOTE_TEXTS)),
        chat_text=_objects([f"Chat about {t}." for t in chats]),
        chat_meta=_objects([json.dumps({"messages": int(k), "agent": a}) for k, a in
                            zip(rng.integers(2, 30, POOL), agents, strict=True)]),
        survey_text=_objects([bands[min(5, (10 - s) // 2)] for s in range(11)]),
        survey_meta=_objects([json.dumps({"survey": "nps", "score": s}) for s in range(11)]),
    )


@dataclass
class Content:
    subject: np.ndarray  # object arrays, one entry per interaction
    text: np.ndarray
    thread_key: np.ndarray
    metadata: np.ndarray  # JSON text


def write_content(pop: Population, buys: Purchases, customer: np.ndarray, at: np.ndarray,
                  channel: np.ndarray, direction: np.ndarray, rng: np.random.Generator,
                  pools: ContentPools) -> Content:
    from accord.web.demo.activity import CHANNELS

    count = customer.size
    subject = np.full(count, "", dtype=object)
    text = np.full(count, "", dtype=object)
    thread = np.full(count, "", dtype=object)
    meta = np.full(count, "{}", dtype=object)
    k = rng.integers(0, POOL, count)
    outbound = (direction == 1).astype(np.int64)
    of = {name: np.flatnonzero(channel == i) for i, name in enumerate(CHANNELS)}

    _emails(pop, customer, at, direction, of["email"], k, subject, text, thread, pools)
    _meetings(pop, customer, of["meeting"], rng, subject, text, meta)
    i = of["call"]
    side = 1 - outbound[i]
    text[i], meta[i] = pools.call_text[side, k[i]], pools.call_meta[side, k[i]]
    i = of["sms"]
    text[i] = pools.sms_text[outbound[i], k[i]]
    for name in ("letter", "fax"):
        i = of[name]
        subject[i] = pools.letter_subjects[k[i]] if name == "letter" else "Fax: order form"
        text[i], meta[i] = pools.letter_text[k[i]], pools.paper_meta[k[i]]
    i = of["web_visit"]
    meta[i] = pools.web_meta[rng.integers(0, pools.web_meta.size, i.size)]
    i = of["campaign_response"]
    subject[i], meta[i] = pools.campaign_subject[k[i]], pools.campaign_meta[k[i]]
    i = of["note"]
    text[i] = pools.note_text[k[i]]
    i = of["chat"]
    text[i], meta[i] = pools.chat_text[k[i]], pools.chat_meta[k[i]]
    # Net Promoter scores fall with a customer's propensity to leave: true signal, noisy.
    i = of["survey"]
    score = np.clip(np.round(9.6 - 9.0 * buys.dropout[customer[i]]
                             + rng.normal(0, 1.5, i.size)), 0, 10).astype(np.int64)
    subject[i] = "How likely are you to recommend us?"
    text[i], meta[i] = pools.survey_text[score], pools.survey_meta[score]
    return Content(subject, text, thread, meta)


def _signature(pop: Population, local: int) -> str:
    slot = int(pop.owner[local])
    return STAFF[slot].full_name.split()[0] if slot >= 0 else "The Accord Supplies team"


def _emails(pop: Population, customer: np.ndarray, at: np.ndarray, direction: np.ndarray,
            rows: np.ndarray, k: np.ndarray, subject: np.ndarray, text: np.ndarray,
            thread: np.ndarray, pools: ContentPools) -> None:
    """Emails thread by customer and time gap: the first message names the subject, the
    rest answer it with 'Re:'."""
    if rows.size == 0:
        return
    who, when = customer[rows], at[rows]
    new = np.r_[True, (who[1:] != who[:-1]) | (when[1:] - when[:-1] > THREAD_GAP)]
    number = np.cumsum(new) - 1
    opener = np.flatnonzero(new)
    first_subject = pools.email_subjects[k[rows[opener]]][number]
    subject[rows] = np.where(new, first_subject, "Re: " + first_subject)
    chunk = pop.chunk.index
    thread[rows] = [f"demo-{chunk}-{n}" for n in number.tolist()]
    greetings = words.EMAIL_OPENERS
    bodies = []
    for row, local in zip(rows.tolist(), who.tolist(), strict=True):
        given = pop.given[local] or "there"
        if direction[row] == 1:
            hello = greetings[row % len(greetings)].format(name=given)
            bodies.append(f"{hello}\n\n{pools.bodies_out[k[row]]}\n\n"
                          f"Kind regards,\n{_signature(pop, local)}")
        else:
            sender = pop.given[local] or pop.display[local]
            bodies.append(f"{pools.bodies_in[k[row]]}\n\nThanks,\n{sender}")
    text[rows] = bodies


def _meetings(pop: Population, customer: np.ndarray, rows: np.ndarray,
              rng: np.random.Generator, subject: np.ndarray, text: np.ndarray,
              meta: np.ndarray) -> None:
    topics = rng.integers(0, len(MEETING_TOPICS), rows.size)
    places = rng.integers(0, len(words.MEETING_PLACES), rows.size)
    minutes = rng.choice((30, 45, 60, 90), rows.size)
    subjects, texts, metas = [], [], []
    for j, local in enumerate(customer[rows].tolist()):
        topic = MEETING_TOPICS[topics[j]]
        slot = int(pop.owner[local])
        staff = STAFF[slot].full_name if slot >= 0 else STAFF[0].full_name
        attendees = [pop.display[local], staff]
        subjects.append(topic)
        texts.append(f"{topic} with {pop.display[local]}.")
        metas.append(json.dumps({"location": words.MEETING_PLACES[places[j]],
                                 "attendees": attendees, "duration_minutes": int(minutes[j])}))
    subject[rows], text[rows], meta[rows] = subjects, texts, metas
