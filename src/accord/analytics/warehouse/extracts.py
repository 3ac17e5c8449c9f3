"""What the warehouse copies from each operational table, in each database's dialect.

The table names are the Django models' (checked by a test); reading them here, instead of
through the models, is what lets millions of rows stream as Arrow. Interaction bodies are
never copied: only who, when, which channel and the figures capture put in metadata.

SQLite's ADBC driver fixes a column's type from the first rows it reads, and a NULL there
reads as an integer; so nullable columns come across with a sentinel (0, -1.0, '') that
the load turns back into NULL."""

from __future__ import annotations

from dataclasses import dataclass

CUSTOMERS = "customers_customer"
TRANSACTIONS = "transactions_transaction"
LINES = "transactions_transactionline"
PRODUCTS = "transactions_product"
PARTICIPANTS = "interactions_participant"
INTERACTIONS = "interactions_interaction"

# A subject naming a complaint marks the contact as one, until cases (a later issue) say so.
COMPLAINT_WORDS = ("complain",)


@dataclass(frozen=True)
class Extract:
    """One warehouse table: its DuckDB columns and how to read them from each dialect.
    ``since`` is filled with the high-water id for tables copied incrementally."""

    table: str
    columns: str  # DuckDB DDL
    sqlite: str
    postgresql: str
    load: str  # DuckDB SELECT over the incoming batch "incoming"
    incremental: bool


def _complaint() -> str:
    test = " OR ".join(f"LOWER(i.subject) LIKE '%{word}%'" for word in COMPLAINT_WORDS)
    return f"CASE WHEN {test} THEN 1 ELSE 0 END"


def _metadata_number(dialect: str, key: str) -> str:
    if dialect == "sqlite":
        return f"IFNULL(CAST(json_extract(i.metadata, '$.{key}') AS REAL), -1.0)"
    return (f"COALESCE(CASE WHEN jsonb_typeof(i.metadata::jsonb -> '{key}') = 'number' "
            f"THEN (i.metadata::jsonb ->> '{key}')::float8 END, -1.0)")


_TIME = {"sqlite": "{col}", "postgresql": "({col} AT TIME ZONE 'UTC')"}
# Event times travel as whole seconds since 1970 (UTC): an integer costs far less to move
# and to turn into a timestamp and a day number than text does, on ten million rows.
_EPOCH = {"sqlite": "unixepoch({col})",
          "postgresql": "CAST(FLOOR(EXTRACT(EPOCH FROM {col})) AS BIGINT)"}
_FROM_EPOCH = ("make_timestamp(CAST(epoch AS BIGINT) * 1000000), "
               "CAST(floor(epoch / 86400) AS INTEGER)")


def _time(dialect: str, column: str) -> str:
    return _TIME[dialect].format(col=column)


def _epoch(dialect: str, column: str) -> str:
    return _EPOCH[dialect].format(col=column)


def _extracts() -> list[Extract]:
    result = []
    result.append(Extract(
        table="customers",
        columns="id BIGINT, merged_into_id BIGINT, root_id BIGINT, kind VARCHAR, "
                "created_at TIMESTAMP",
        sqlite=f"SELECT id, IFNULL(merged_into_id, 0) AS merged_into_id, kind, created_at "
               f"FROM {CUSTOMERS}",
        postgresql=f"SELECT id, COALESCE(merged_into_id, 0) AS merged_into_id, kind, "
                   f"{_time('postgresql', 'created_at')} AS created_at FROM {CUSTOMERS}",
        load="SELECT id, NULLIF(merged_into_id, 0), id, kind, CAST(created_at AS TIMESTAMP) "
             "FROM incoming",
        incremental=False))
    result.append(Extract(
        table="products",
        columns="id BIGINT, sku VARCHAR, name VARCHAR, category VARCHAR",
        sqlite=f"SELECT id, sku, name, category FROM {PRODUCTS}",
        postgresql=f"SELECT id, sku, name, category FROM {PRODUCTS}",
        load="SELECT id, sku, name, category FROM incoming",
        incremental=False))
    result.append(Extract(
        table="transactions",
        columns="id BIGINT, customer_id BIGINT, occurred_at TIMESTAMP, day INTEGER, "
                "kind VARCHAR, cents BIGINT, currency VARCHAR",
        sqlite=f"SELECT id, customer_id, {_epoch('sqlite', 'occurred_at')} AS epoch, kind, "
               f"CAST(ROUND(amount * 100) AS INTEGER) AS cents, currency FROM {TRANSACTIONS} "
               f"WHERE id > {{since}}",
        postgresql=f"SELECT id, customer_id, {_epoch('postgresql', 'occurred_at')} AS epoch,"
                   f" kind, CAST(ROUND(amount * 100) AS BIGINT) AS cents, currency "
                   f"FROM {TRANSACTIONS} WHERE id > {{since}}",
        load=f"SELECT id, customer_id, {_FROM_EPOCH}, kind, cents, currency FROM incoming",
        incremental=True))
    result.append(Extract(
        table="lines",
        columns="id BIGINT, transaction_id BIGINT, product_id BIGINT, quantity DOUBLE, "
                "cents BIGINT",
        sqlite=f"SELECT id, transaction_id, IFNULL(product_id, 0) AS product_id, "
               f"CAST(quantity AS REAL) + 0.0 AS quantity, "
               f"CAST(ROUND(amount * 100) AS INTEGER) AS cents FROM {LINES} "
               f"WHERE id > {{since}}",
        postgresql=f"SELECT id, transaction_id, COALESCE(product_id, 0) AS product_id, "
                   f"CAST(quantity AS float8) AS quantity, "
                   f"CAST(ROUND(amount * 100) AS BIGINT) AS cents FROM {LINES} "
                   f"WHERE id > {{since}}",
        load="SELECT id, transaction_id, NULLIF(product_id, 0), quantity, cents FROM incoming",
        incremental=True))
    contact_select = (
        "SELECT p.id, p.interaction_id, p.customer_id, {occurred} AS epoch, p.channel, "
        "p.direction, p.role, {wait} AS wait_seconds, {duration} AS duration_seconds, "
        "{complaint} AS complaint FROM " + PARTICIPANTS + " p JOIN " + INTERACTIONS
        + " i ON i.id = p.interaction_id WHERE p.customer_id IS NOT NULL AND p.id > {{since}}")
    result.append(Extract(
        table="contacts",
        columns="id BIGINT, interaction_id BIGINT, customer_id BIGINT, occurred_at TIMESTAMP, "
                "day INTEGER, channel VARCHAR, direction VARCHAR, role VARCHAR, "
                "wait_seconds DOUBLE, duration_seconds DOUBLE, complaint BOOLEAN",
        sqlite=contact_select.format(
            occurred=_epoch("sqlite", "p.occurred_at"),
            wait=_metadata_number("sqlite", "wait_seconds"),
            duration=_metadata_number("sqlite", "duration_seconds"),
            complaint=_complaint()),
        postgresql=contact_select.format(
            occurred=_epoch("postgresql", "p.occurred_at"),
            wait=_metadata_number("postgresql", "wait_seconds"),
            duration=_metadata_number("postgresql", "duration_seconds"),
            complaint=_complaint()),
        load=f"SELECT id, interaction_id, customer_id, {_FROM_EPOCH}, channel, "
             "direction, role, NULLIF(wait_seconds, -1.0), NULLIF(duration_seconds, -1.0), "
             "complaint = 1 FROM incoming",
        incremental=True))
    return result


EXTRACTS: tuple[Extract, ...] = tuple(_extracts())

# For incremental tables: the rows still present and who they belong to, so deletions
# and moves in the operational store are reflected (ids only: cheap even for millions).
PRESENT = {
    "transactions": f"SELECT id, customer_id FROM {TRANSACTIONS}",
    "lines": f"SELECT id, transaction_id AS customer_id FROM {LINES}",
    "contacts": f"SELECT id, customer_id FROM {PARTICIPANTS} WHERE customer_id IS NOT NULL",
}


# For incremental tables: the highest id upstream, to split a big copy into id ranges.
TOP_ID = {
    "transactions": f"SELECT COALESCE(MAX(id), 0) AS top FROM {TRANSACTIONS}",
    "lines": f"SELECT COALESCE(MAX(id), 0) AS top FROM {LINES}",
    "contacts": f"SELECT COALESCE(MAX(id), 0) AS top FROM {PARTICIPANTS}",
}


def scoped(extract: Extract, dialect: str, customer_ids: list[int]) -> str:
    """The extract limited to some customers' rows (a real-time update's small warehouse).
    The ids are integers from the database, never user text."""
    ids = ", ".join(str(int(c)) for c in customer_ids) or "NULL"
    sql = getattr(extract, dialect)
    if extract.table == "customers":
        return f"{sql} WHERE id IN ({ids})"
    if extract.table == "products":
        return sql
    if extract.table == "transactions":
        return sql.format(since=-1) + f" AND customer_id IN ({ids})"
    if extract.table == "lines":
        return sql.format(since=-1) + (f" AND transaction_id IN (SELECT id FROM {TRANSACTIONS}"
                                       f" WHERE customer_id IN ({ids}))")
    return sql.format(since=-1) + f" AND p.customer_id IN ({ids})"
