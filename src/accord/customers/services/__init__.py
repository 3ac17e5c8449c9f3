"""Use cases that change customers, one module per noun; every public name is re-exported
here, so callers keep writing ``from accord.customers import services``."""

from accord.customers.services.bulk import (
    BULK_CUSTOMER_COLUMNS,
    BULK_IDENTITY_COLUMNS,
    bulk_customers_loaded,
    bulk_load_customers,
    bulk_load_identities,
    bulk_next_customer_id,
    bulk_tables,
)
from accord.customers.services.captured import create_captured_people
from accord.customers.services.customers import create_customer, update_customer
from accord.customers.services.duplicates import (
    DuplicateReport,
    dismiss_suggestion,
    find_duplicates,
    find_duplicates_if_due,
    reopen_suggestion,
)
from accord.customers.services.identities import (
    add_identity,
    mark_undeliverable,
    remove_identity,
)
from accord.customers.services.merges import (
    merge_customers,
    merge_suggestion,
    unmerge_customers,
)
from accord.customers.services.records import EDITABLE_FIELDS, normalise, snapshot

__all__ = [
    "BULK_CUSTOMER_COLUMNS",
    "BULK_IDENTITY_COLUMNS",
    "EDITABLE_FIELDS",
    "DuplicateReport",
    "add_identity",
    "bulk_customers_loaded",
    "bulk_load_customers",
    "bulk_load_identities",
    "bulk_next_customer_id",
    "bulk_tables",
    "create_captured_people",
    "create_customer",
    "dismiss_suggestion",
    "find_duplicates",
    "find_duplicates_if_due",
    "mark_undeliverable",
    "merge_customers",
    "merge_suggestion",
    "normalise",
    "remove_identity",
    "reopen_suggestion",
    "snapshot",
    "unmerge_customers",
    "update_customer",
]
