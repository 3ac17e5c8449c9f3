"""Duplicate finding at scale: the pure rules on a generated set, and optionally the
whole service on a database.

    python benchmarks/duplicates.py --customers 100000            # rules only, in memory
    ACCORD_DATA_DIR=/tmp/accord-demo python benchmarks/duplicates.py --database

The generated set uses the demo's name vocabulary (70 given x 68 family names, so every
name is shared by ~20 people at 100k: the hard case for blocking), organisation and
free-mail domains, unique phones and addresses, and plants --planted duplicates: a typo
or reordered name with a shared phone (another country code), address or company
domain. Prints the time per step, candidate pairs, suggestions, and how many planted
pairs were found (recall). --database runs ``find_duplicates`` (full, then incremental
with nothing changed) on the configured database and prints both times.
"""

from __future__ import annotations

import argparse
import os
import random
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accord.settings")


def typo(rng: random.Random, name: str) -> str:
    """A plausible slip: a letter dropped, doubled or swapped, or the words reordered."""
    words = name.split()
    choice = rng.randrange(4)
    if choice == 0 and len(words) > 1:
        return f"{words[-1]}, {' '.join(words[:-1])}"
    i = rng.randrange(1, len(name) - 1)
    if choice == 1:
        return name[:i] + name[i + 1:]
    if choice == 2:
        return name[:i] + name[i] + name[i:]
    return name[:i - 1] + name[i] + name[i - 1] + name[i + 1:]


def generate(n: int, planted: int, seed: int) -> tuple[list, set[tuple[int, int]]]:
    from accord.customers.domain.duplicates import CustomerFacts
    from accord.web.demo.vocabulary import (
        COMPANY_TRADES,
        COMPANY_WORDS,
        EMAIL_DOMAINS,
        FAMILY_NAMES,
        GIVEN_NAMES,
        STREETS,
        TOWNS,
    )

    rng = random.Random(seed)
    organisations = max(1, n // 8)
    facts: list[CustomerFacts] = []
    for pk in range(1, organisations + 1):
        name = f"{rng.choice(COMPANY_WORDS)} {rng.choice(COMPANY_TRADES)} {pk}"
        facts.append(CustomerFacts(id=pk, kind="organisation", name=name,
                                   emails=(f"info@org{pk}.example",)))
    for pk in range(organisations + 1, n + 1):
        given, family = rng.choice(GIVEN_NAMES), rng.choice(FAMILY_NAMES)
        org = rng.randint(1, organisations) if rng.random() < 0.5 else None
        domain = f"org{org}.example" if org else rng.choice(EMAIL_DOMAINS)
        facts.append(CustomerFacts(
            id=pk, kind="person", name=f"{given} {family}", organisation_id=org,
            emails=(f"{given}.{family}.{pk}@{domain}".lower(),),
            phones=((f"+4479{pk:08d}", f"+44 79{pk:08d}"),),
            addresses=((f"{pk} {rng.choice(STREETS)} street, {rng.choice(TOWNS)}".lower(),
                        f"{pk} {rng.choice(STREETS)} Street"),)))
    truth: set[tuple[int, int]] = set()
    people = facts[organisations:]
    for copy_id, original in zip(range(n + 1, n + planted + 1),
                                 rng.sample(people, min(planted, len(people))), strict=False):
        shared = rng.randrange(3)
        if shared == 0 and original.organisation_id is None:
            shared = 2  # a mail provider's domain is no evidence: share the address
        facts.append(CustomerFacts(
            id=copy_id, kind="person", name=typo(rng, original.name),
            organisation_id=original.organisation_id,
            emails=(f"x{copy_id}@{original.emails[0].rpartition('@')[2]}",) if shared == 0
            else (f"x{copy_id}@gmail.com",),
            phones=((f"+1{original.phones[0][0][3:]}", "+1 ...")
                    ,) if shared == 1 else (),
            addresses=original.addresses if shared == 2 else ()))
        truth.add((original.id, copy_id))
    return facts, truth


def run_rules(n: int, planted: int, seed: int) -> None:
    from accord.customers.domain import duplicates

    started = time.perf_counter()
    facts, truth = generate(n, planted, seed)
    generated = time.perf_counter()
    found = duplicates.find_suggestions(facts)
    scored = time.perf_counter()
    pairs = {(s.a, s.b) for s in found}
    print(f"customers: {len(facts):,} ({planted:,} planted duplicates)")
    print(f"generated in {generated - started:.1f} s")
    print(f"blocking + scoring: {scored - generated:.1f} s "
          f"({len(facts) / (scored - generated):,.0f} customers/s)")
    print(f"suggestions: {len(found):,}; planted found: {len(pairs & truth):,} of "
          f"{len(truth):,} ({len(pairs & truth) / max(1, len(truth)):.0%})")
    for s in found[:3]:
        print(f"  e.g. {s.a} ~ {s.b} {s.score:.2f}: {'; '.join(s.reasons)}")


def run_database() -> None:
    import django

    django.setup()
    from accord.customers.services import find_duplicates
    from accord.platform.actors import SYSTEM

    for full in (True, False):
        started = time.perf_counter()
        report = find_duplicates(actor=SYSTEM, full=full)
        print(f"find_duplicates(full={full}): {time.perf_counter() - started:.1f} s, "
              f"{report.customers:,} customers looked at, {report.found:,} open "
              f"suggestions, {report.new:,} new")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--planted", type=int, default=1_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--database", action="store_true",
                        help="run the service on the configured database instead")
    args = parser.parse_args()
    if args.database:
        run_database()
    else:
        run_rules(args.customers, args.planted, args.seed)


if __name__ == "__main__":
    main()
