"""The per-customer SQL of a run, written once in DuckDB's dialect and run as is on DuckDB
or transpiled by SQLGlot for Spark (engines.py). Keep it to SQL both engines share: no
DuckDB-only functions, integer day numbers instead of date arithmetic, and amounts in
integer cents summed exactly, turned into doubles the same way on both.

Every query reads the warehouse tables (customers, transactions, lines, products,
contacts, and purchase_days derived from them by sync.py) and speaks of the surviving
customer of a merge (``root_id``). Parameters are
numbers formatted in here, never text from a user."""

from __future__ import annotations

# Purchases in the run's currency, one row per customer and purchase day (from the
# purchase_days table sync derives: merged records already counted as their survivor).
_PURCHASE_DAYS = """
purchase_days_in AS (
  SELECT customer_id, day, cents, purchases FROM purchase_days
  WHERE currency = '{currency}' AND day <= {end_day})"""


def _currency(code: str) -> str:
    if not (len(code) == 3 and code.isalpha()):
        raise ValueError(f"not a currency code: {code!r}")
    return code.upper()


def summary(end_day: int, unit: float, currency: str) -> str:
    """Per customer, as of ``end_day``: frequency (repeat purchase days), recency and age
    in ``unit`` days, monetary (mean spend of the repeat days), first and last purchase
    day, purchases and revenue. Ordered by customer."""
    return f"""
WITH {_PURCHASE_DAYS.format(currency=_currency(currency), end_day=int(end_day))},
spans AS (
  SELECT customer_id, MIN(day) AS first_day, MAX(day) AS last_day, COUNT(*) AS days,
         CAST(SUM(cents) AS BIGINT) AS cents,
         CAST(SUM(purchases) AS BIGINT) AS purchases
  FROM purchase_days_in GROUP BY customer_id),
first_spend AS (
  SELECT p.customer_id, p.cents FROM purchase_days_in p
  JOIN spans s ON s.customer_id = p.customer_id AND p.day = s.first_day)
SELECT s.customer_id,
       CAST(s.days - 1 AS DOUBLE) AS frequency,
       CAST(s.last_day - s.first_day AS DOUBLE) / {float(unit)!r} AS recency,
       CAST({int(end_day)} - s.first_day AS DOUBLE) / {float(unit)!r} AS age,
       CASE WHEN s.days > 1
            THEN CAST(s.cents - f.cents AS DOUBLE) / CAST(100 * (s.days - 1) AS DOUBLE)
            ELSE 0.0 END AS monetary,
       s.first_day, s.last_day, s.purchases,
       CAST(s.cents AS DOUBLE) / 100.0 AS revenue
FROM spans s JOIN first_spend f ON f.customer_id = s.customer_id
ORDER BY s.customer_id"""


def summary_groups(end_day: int, unit: float, currency: str) -> str:
    """The distinct (frequency, recency, age) rows of ``summary`` with their counts: what
    the fits read, so identical customers are computed once. Ordered, so a fit sums in
    the same order on every engine and every run."""
    return f"""
SELECT frequency, recency, age, COUNT(*) AS customers
FROM ({summary(end_day, unit, currency)}) AS s
GROUP BY frequency, recency, age
ORDER BY frequency, recency, age"""


def window_activity(start_day: int, end_day: int, currency: str) -> str:
    """Per customer: purchase days and spend in (start_day, end_day]."""
    return f"""
WITH {_PURCHASE_DAYS.format(currency=_currency(currency), end_day=int(end_day))}
SELECT customer_id, COUNT(*) AS days, CAST(SUM(cents) AS DOUBLE) / 100.0 AS spend
FROM purchase_days_in WHERE day > {int(start_day)}
GROUP BY customer_id ORDER BY customer_id"""


def contact_features(start_day: int, end_day: int) -> str:
    """Per customer, contacts in (start_day, end_day]: how many, complaints, mean wait of
    the calls that had one."""
    return f"""
SELECT c.root_id AS customer_id, COUNT(*) AS contacts,
       CAST(SUM(CASE WHEN k.complaint THEN 1 ELSE 0 END) AS BIGINT) AS complaints,
       AVG(k.wait_seconds) AS mean_wait_seconds
FROM contacts k JOIN customers c ON c.id = k.customer_id
WHERE k.day > {int(start_day)} AND k.day <= {int(end_day)}
GROUP BY c.root_id ORDER BY customer_id"""


def contacts_by_channel(start_day: int, end_day: int) -> str:
    """Per customer and channel, contacts in (start_day, end_day]: the cost to serve."""
    return f"""
SELECT c.root_id AS customer_id, k.channel, COUNT(*) AS contacts
FROM contacts k JOIN customers c ON c.id = k.customer_id
WHERE k.day > {int(start_day)} AND k.day <= {int(end_day)}
GROUP BY c.root_id, k.channel ORDER BY customer_id, channel"""


def baskets(end_day: int) -> str:
    """Distinct (customer, product) pairs bought up to ``end_day``: what co-occurrence and
    the next best offer read."""
    return f"""
SELECT DISTINCT c.root_id AS customer_id, l.product_id
FROM lines l JOIN transactions t ON t.id = l.transaction_id
JOIN customers c ON c.id = t.customer_id
WHERE t.kind = 'purchase' AND t.day <= {int(end_day)} AND l.product_id IS NOT NULL
ORDER BY customer_id, product_id"""


def products() -> str:
    return "SELECT id, sku, name FROM products ORDER BY id"


def main_currency() -> str:
    """The currency most purchases are in: the one a run reports money in."""
    return ("SELECT currency, COUNT(*) AS n FROM transactions WHERE kind = 'purchase' "
            "GROUP BY currency ORDER BY n DESC, currency LIMIT 1")


def data_window() -> str:
    return ("SELECT MIN(day) AS first_day, MAX(day) AS last_day, COUNT(*) AS n "
            "FROM transactions WHERE kind = 'purchase'")


def coverage(end_day: int) -> str:
    """Transactions by kind and currency, and whether they fall after ``end_day``: what
    a run analysed and what it left out, for the run's record."""
    return f"""
SELECT kind, currency, CASE WHEN day > {int(end_day)} THEN 1 ELSE 0 END AS after_as_of,
       COUNT(*) AS transactions
FROM transactions
GROUP BY kind, currency, CASE WHEN day > {int(end_day)} THEN 1 ELSE 0 END
ORDER BY kind, currency, after_as_of"""
