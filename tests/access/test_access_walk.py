"""Every role walks every API operation and every page, against every record.

Proves, for each request:
- no leak: a record the role may not see answers exactly what a record that does not
  exist answers (same status, same body), and no list, search or page ever shows the
  name of a customer outside the role's scope;
- no change by a denied request: the database fingerprint is identical before and after
  any request answered with 4xx.

Endpoints are discovered from the OpenAPI document and Django's URL resolver, so a new
endpoint without a walk plan fails this test instead of escaping it.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection, transaction
from django.http import HttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from accord.accounts.services import issue_token
from accord.customers import services as customer_services
from accord.interactions import services as interaction_services
from accord.platform.actors import SYSTEM
from accord.transactions import services as transaction_services
from tests.conftest import PASSWORD, at

pytestmark = pytest.mark.django_db

MISSING = 987654  # an id no table reaches in this test

# Tables whose every row a denied request must leave untouched. Columns that record a
# login or token use are excluded: signing in is not a change to customer data.
FINGERPRINT_TABLES = {
    "customers_customer": None, "customers_identity": None, "customers_merge": None,
    "interactions_interaction": None, "interactions_participant": None,
    "interactions_attachment": None, "transactions_transaction": None,
    "transactions_transactionline": None, "transactions_product": None,
    "platform_auditentry": None, "platform_outboxevent": None, "accounts_team": None,
    "accounts_apitoken": {"last_used_at"}, "accounts_user": {"last_login"},
}


def fingerprint() -> str:
    digest = hashlib.sha256()
    with connection.cursor() as cursor:
        for table, skip in sorted(FINGERPRINT_TABLES.items()):
            cursor.execute(f"SELECT * FROM {table} ORDER BY id")
            names = [c[0] for c in cursor.description]
            for row in cursor.fetchall():
                kept = [v for n, v in zip(names, row, strict=True) if n not in (skip or ())]
                digest.update(repr((table, kept)).encode())
    return digest.hexdigest()


@dataclass(frozen=True)
class Target:
    """A record a path or body can point at, and the customer that decides who sees it."""

    kind: str
    id: int
    customer_id: int | None = None  # visibility follows this customer
    user_id: int | None = None  # tokens: visible to their owner only
    roles: tuple[str, ...] = ()  # review queue records: linked to no customer, these roles


@pytest.fixture
def walk(world: Any) -> dict[str, Any]:
    """One interaction (with an attachment), one transaction and one identity per
    customer, a merge in each team, and a token per user."""
    targets: dict[str, list[Target]] = {k: [] for k in
                                        ("customer", "interaction", "attachment", "identity",
                                         "merge", "token", "suggestion", "queued_address",
                                         "pending_document", "run")}
    customers = [world.alice_customer, world.north_customer, world.bob_customer,
                 world.orphan_customer]
    for n, customer in enumerate(customers):
        targets["customer"].append(Target("customer", customer.pk, customer.pk))
        result = interaction_services.record_interaction(
            actor=SYSTEM, channel="email", direction="inbound", occurred_at=at(n),
            subject=f"walk {n}", source="walk", external_id=f"w{n}",
            participants=[interaction_services.ParticipantInput(role="from",
                                                                customer_id=customer.pk)],
            attachments=[interaction_services.AttachmentInput(filename="a.txt",
                                                              content=b"x" * (n + 1))])
        targets["interaction"].append(Target("interaction", result.interaction.pk, customer.pk))
        attachment = result.interaction.attachments.get()
        targets["attachment"].append(Target("attachment", attachment.pk, customer.pk))
        transaction_services.record_transaction(actor=SYSTEM, item=transaction_services.
                                                TransactionInput(customer_id=customer.pk,
                                                                 occurred_at=at(n),
                                                                 amount="10.00", currency="GBP",
                                                                 external_id=f"t{n}"))
        identity = customer_services.add_identity(actor=SYSTEM, customer_id=customer.pk,
                                                  kind="external_id", value=f"walk-{n}")
        targets["identity"].append(Target("identity", identity.pk, customer.pk))
    for team, owner in ((world.north, world.alice), (world.south, world.bob)):
        extra = customer_services.create_customer(actor=SYSTEM, display_name=f"Dup {team.name}",
                                                  team_id=team.pk, owner_id=owner.pk)
        survivor = world.alice_customer if team == world.north else world.bob_customer
        merge = customer_services.merge_customers(actor=SYSTEM, survivor_id=survivor.pk,
                                                  loser_id=extra.pk)
        targets["merge"].append(Target("merge", merge.pk, survivor.pk))
    # Duplicate suggestions: one inside team north, one involving the orphan (seen only by
    # those who see everyone). A suggestion is visible when both its customers are.
    from accord.customers.models import DuplicateSuggestion

    for one, other in ((world.alice_customer, world.north_customer),
                       (world.bob_customer, world.orphan_customer)):
        a, b = sorted((one.pk, other.pk))
        suggestion = DuplicateSuggestion.objects.create(
            customer_a_id=a, customer_b_id=b, score=0.8, reasons=["walk"], found_at=at(0))
        hidden = other if other == world.orphan_customer else one
        targets["suggestion"].append(Target("suggestion", suggestion.pk, hidden.pk))
    # The review queue: records linked to no customer, seen by those who see everyone.
    from accord.capture.models import PendingDocument, QueuedAddress

    readers = ("admin", "analyst")
    queued = QueuedAddress.objects.create(kind="email", value="walker@unknown.example",
                                          display="walker@unknown.example",
                                          first_seen=at(0), last_seen=at(0))
    targets["queued_address"].append(Target("queued_address", queued.pk, roles=readers))
    pending = PendingDocument.objects.create(sha256="0" * 64, filename="letter.pdf",
                                             content_type="application/pdf", size=1,
                                             outcome="unmatched", received_at=at(0))
    targets["pending_document"].append(Target("pending_document", pending.pk, roles=readers))
    # Analytics: a model run (whole-base figures, every role reads it) and scores for
    # every customer (each seen exactly as its customer is).
    from tests.analytics.factories import make_run, make_score

    run = make_run()
    targets["run"].append(Target("run", run.pk, roles=("admin", "analyst", "manager",
                                                       "alice", "bob")))
    for customer in customers:
        make_score(customer, run)
    tokens = {}
    for name, user in world.users.items():
        tokens[name] = issue_token(actor=user, user=user, name="walk")
        token_row = user.api_tokens.order_by("-id").first()
        targets["token"].append(Target("token", token_row.pk, user_id=user.pk))
    names = {c.pk: c.display_name for c in customers}
    return {"targets": targets, "tokens": tokens, "names": names}


def visible_ids(world: Any, role: str) -> set[int]:
    by_role = {
        "admin": "all", "analyst": "all",
        "manager": {world.alice_customer.pk, world.north_customer.pk},
        "alice": {world.alice_customer.pk, world.north_customer.pk},
        "bob": {world.bob_customer.pk},
    }
    everyone = {world.alice_customer.pk, world.north_customer.pk, world.bob_customer.pk,
                world.orphan_customer.pk}
    scope = by_role[role]
    return everyone if scope == "all" else scope


def can_see(target: Target, role: str, world: Any, visible: set[int]) -> bool:
    if target.user_id is not None:  # a token: its owner, and admins who may revoke it
        return role == "admin" or world.users[role].pk == target.user_id
    if target.roles:
        return role in target.roles
    return target.customer_id in visible


# --- the API -------------------------------------------------------------------------

PATH_PARAM = re.compile(r"\{(\w+)\}")
PARAM_KIND = {"customer_id": "customer", "interaction_id": "interaction",
              "attachment_id": "attachment", "identity_id": "identity", "merge_id": "merge",
              "token_id": "token", "suggestion_id": "suggestion",
              "address_id": "queued_address", "pending_id": "pending_document",
              "run_id": "run"}


def api_body(method: str, path: str, ref: dict[str, int]) -> tuple[Any, Target | None]:
    """A valid body for a write, and the record it points at (decides visibility)."""
    cid = ref.get("body_customer")
    if (method, path) == ("post", "/api/v1/customers"):
        return {"given_name": "Walker"}, None
    if (method, path) == ("patch", "/api/v1/customers/{customer_id}"):
        return {"lifecycle": "former"}, None
    if (method, path) == ("post", "/api/v1/customers/{customer_id}/identities"):
        return {"kind": "email", "value": "walker@example.com"}, None
    if (method, path) == ("post", "/api/v1/customers/{customer_id}/merge"):
        return {"loser_id": cid}, Target("customer", cid, cid) if cid else None
    if (method, path) == ("post", "/api/v1/interactions"):
        return ({"channel": "note", "direction": "internal", "occurred_at": at(0).isoformat(),
                 "participants": [{"role": "subject", "customer_id": cid}]},
                Target("customer", cid, cid))
    if (method, path) == ("post", "/api/v1/transactions"):
        return ({"customer_id": cid, "occurred_at": at(0).isoformat(), "amount": "1.00",
                 "currency": "GBP"}, Target("customer", cid, cid))
    if (method, path) == ("post", "/api/v1/transactions/bulk"):
        return ({"items": [{"customer_id": cid, "occurred_at": at(0).isoformat(),
                            "amount": "1.00", "currency": "GBP"}]}, Target("customer", cid, cid))
    if (method, path) == ("post", "/api/v1/customers/duplicates/{suggestion_id}/merge"):
        return {"survivor": "a", "choices": {"lifecycle": "b"}}, None
    if (method, path) == ("post", "/api/v1/customers/duplicates/{suggestion_id}/dismiss"):
        return {}, None
    if (method, path) == ("post", "/api/v1/documents"):
        return {}, None  # multipart only: a JSON body is refused alike for every role
    if (method, path) == ("post", "/api/v1/tokens"):
        return {"name": "walk"}, None
    if method in ("post", "patch", "put") and "{" in path and path.endswith("/undo"):
        return {}, None
    if method in ("get", "delete"):
        return None, None
    raise AssertionError(f"no walk plan for {method.upper()} {path}: add one")


def body_customer_needed(method: str, path: str) -> bool:
    return (method, path) in {("post", "/api/v1/customers/{customer_id}/merge"),
                              ("post", "/api/v1/interactions"),
                              ("post", "/api/v1/transactions"),
                              ("post", "/api/v1/transactions/bulk")}


def api_operations(client: Client) -> list[tuple[str, str]]:
    spec = client.get("/api/v1/openapi.json").json()
    return sorted((method, path) for path, ops in spec["paths"].items() for method in ops)


def expand(method: str, path: str, targets: dict[str, list[Target]]
           ) -> Iterator[tuple[str, dict[str, int], list[Target], bool]]:
    """Every concrete request for an operation: each combination of real records in the
    path (and body), plus a copy where the last record is replaced by a missing id."""
    params = PATH_PARAM.findall(path)
    pools: list[list[tuple[str, Target]]] = []
    for name in params:
        kind = PARAM_KIND.get(name)
        assert kind, f"unknown path parameter {name} in {path}: teach the walk about it"
        pools.append([(name, t) for t in targets[kind]])
    if body_customer_needed(method, path):
        pools.append([("body_customer", t) for t in targets["customer"]])
    for combo in itertools.product(*pools) if pools else [()]:
        ref = {name: t.id for name, t in combo}
        yield path_for(path, ref), ref, [t for _, t in combo], False
        if combo:
            missing = dict(ref)
            missing[combo[-1][0]] = MISSING
            yield path_for(path, missing), missing, [t for _, t in combo[:-1]], True


def path_for(template: str, ref: dict[str, int]) -> str:
    return PATH_PARAM.sub(lambda m: str(ref[m.group(1)]), template)


# Reads that need a query to mean anything: each is walked with every query listed.
API_QUERIES = {
    "/api/v1/customers/search": ["?q=a", "?q=Baker", "?q=bea@example.net", "?q=shop:B-17",
                                 "?name=orph", "?phone=07911123456"],
}


def send(client: Client, method: str, url: str, body: Any) -> Any:
    call = getattr(client, method)
    if body is None:
        return materialised(call(url))
    return materialised(call(url, json.dumps(body), content_type="application/json"))


def materialised(response: Any) -> Any:
    """A streamed answer (the score exports) read whole, so every check sees its body."""
    if not getattr(response, "streaming", False):
        return response
    return HttpResponse(b"".join(response.streaming_content), status=response.status_code,
                        content_type=response["Content-Type"])


def outcome(template: str, response: Any) -> int:
    """The status that decides access; the bulk endpoint answers per item inside a 200."""
    if template.endswith("/transactions/bulk") and response.status_code == 200:
        error = response.json()["results"][0]["error"]
        return {"not_found": 404, "forbidden": 403}.get(error["code"], 400) if error else 200
    return response.status_code


def normalise(content: bytes, ref: dict[str, int]) -> str:
    """The body with the requested ids blanked out of its messages, so an answer about
    record 3 can be compared with the answer about a record that does not exist."""

    def scrub(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: scrub(v) for k, v in value.items()}
        if isinstance(value, list):
            return [scrub(v) for v in value]
        if isinstance(value, str):
            for number in ref.values():
                value = re.sub(rf"\b{number}\b", "ID", value)
        return value

    try:
        return json.dumps(scrub(json.loads(content)), sort_keys=True)
    except ValueError:
        return scrub(content.decode(errors="replace"))


@pytest.mark.parametrize("role", ["admin", "analyst", "manager", "alice", "bob"])
def test_api_walk(role: str, world: Any, walk: dict[str, Any]) -> None:
    client = Client(HTTP_AUTHORIZATION=f"Bearer {walk['tokens'][role]}")
    visible = visible_ids(world, role)
    hidden_names = [n for pk, n in walk["names"].items() if pk not in visible]
    requests = leaks = changes = 0
    failures: list[str] = []
    for method, template in api_operations(client):
        if template.endswith("/openapi.json") or template.endswith("/docs"):
            continue
        for base_url, ref, records, is_missing, query in (
                (*req, q) for req in expand(method, template, walk["targets"])
                for q in API_QUERIES.get(template, [""])):
            url = base_url + query
            body, body_target = api_body(method, template, ref)
            in_scope = all(can_see(t, role, world, visible) for t in records)
            if body_target is not None and ref.get("body_customer") != MISSING:
                in_scope = in_scope and can_see(body_target, role, world, visible)
            with transaction.atomic():
                before = fingerprint()
                response = send(client, method, url, body)
                after = fingerprint()
                transaction.set_rollback(True)  # every request starts from the same world
            requests += 1
            assert response.status_code < 500, f"{method} {url}: {response.status_code}"
            label = f"{role} {method.upper()} {url}"
            if response.status_code >= 400 and before != after:
                changes += 1
                failures.append(f"changed by denied request: {label}")
            text = response.content.decode(errors="replace")
            shown = [n for n in hidden_names if n in text]
            if shown:
                leaks += 1
                failures.append(f"leaked {shown}: {label}")
            if not in_scope and not is_missing:
                twin_ref = dict(ref)
                twin_key = next(k for k in reversed(list(ref))
                                if not can_see(next(t for t in [*records, body_target]
                                                    if t and t.id == ref[k]), role, world,
                                               visible))
                twin_ref[twin_key] = MISSING
                with transaction.atomic():
                    twin = send(client, method, path_for(template, twin_ref) + query,
                                api_body(method, template, twin_ref)[0])
                    transaction.set_rollback(True)
                if (outcome(template, response), normalise(response.content, ref)) != \
                        (outcome(template, twin), normalise(twin.content, twin_ref)):
                    leaks += 1
                    failures.append(f"out-of-scope differs from missing: {label} -> "
                                    f"{response.status_code} {text[:120]} vs {twin.status_code}")
                if outcome(template, response) != 404:
                    leaks += 1
                    failures.append(f"out-of-scope answered {response.status_code}: {label}")
            elif in_scope and method == "get" and not is_missing and response.status_code != 200:
                failures.append(f"in-scope read refused ({response.status_code}): {label}")
    assert requests > 100
    assert (leaks, changes) == (0, 0), "\n".join(failures)
    assert not failures, "\n".join(failures)


# --- the pages -----------------------------------------------------------------------

def page_patterns() -> list[str]:
    """Every page route outside the API, the admin and static files, as a template."""
    found: list[str] = []

    def visit(patterns: Any, prefix: str) -> None:
        for p in patterns:
            route = prefix + str(p.pattern)
            if isinstance(p, URLResolver):
                if route.startswith(("admin/", "api/")):
                    continue
                visit(p.url_patterns, route)
            elif isinstance(p, URLPattern) and not route.startswith(("static", "admin/")):
                found.append("/" + route)

    visit(get_resolver().url_patterns, "")
    return sorted(set(found))


PAGE_PARAM = re.compile(r"<(?:int:)?(\w+)>")


@pytest.mark.parametrize("role", ["admin", "analyst", "manager", "alice", "bob"])
def test_page_walk(role: str, world: Any, walk: dict[str, Any]) -> None:
    client = Client()
    assert client.login(username=role, password=PASSWORD)
    visible = visible_ids(world, role)
    hidden_names = [n for pk, n in walk["names"].items() if pk not in visible]
    failures: list[str] = []
    requests = 0
    for route in page_patterns():
        if route.startswith("/logout"):
            continue
        params = PAGE_PARAM.findall(route)
        pools = []
        for name in params:
            kind = PARAM_KIND.get(name)
            assert kind, f"unknown page parameter {name} in {route}: teach the walk about it"
            pools.append([(name, t) for t in walk["targets"][kind]])
        for combo in itertools.product(*pools) if pools else [()]:
            ref = {name: t.id for name, t in combo}
            url = PAGE_PARAM.sub(lambda m, ref=ref: str(ref[m.group(1)]), route)
            in_scope = all(can_see(t, role, world, visible) for _, t in combo)
            for query in ("", "?q=a", "?q=Baker", "?q=Ada", "?q=bea@example.net"):
                with transaction.atomic():
                    before = fingerprint()
                    response = materialised(client.get(url + query))
                    after = fingerprint()
                    transaction.set_rollback(True)
                requests += 1
                label = f"{role} GET {url}{query}"
                assert response.status_code < 500, label
                if response.status_code >= 400 and before != after:
                    failures.append(f"changed by denied request: {label}")
                text = response.content.decode(errors="replace")
                shown = [n for n in hidden_names if n in text]
                if shown:
                    failures.append(f"leaked {shown}: {label}")
                if not in_scope and response.status_code != 404:
                    failures.append(f"out-of-scope answered {response.status_code}: {label}")
            if combo:
                missing = PAGE_PARAM.sub(lambda m: str(MISSING), route)
                if not in_scope:
                    twin = client.get(missing)
                    if twin.status_code != response.status_code:
                        failures.append(f"out-of-scope differs from missing: {url}")
    assert requests > 20
    assert not failures, "\n".join(failures)
