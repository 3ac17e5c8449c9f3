"""What a run is asked to do: the time unit, horizons, money assumptions and channel
costs. Stored with each run, so its scores can be recomputed exactly later."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any

from accord.analytics.domain.summary import TIME_UNITS
from accord.platform.errors import InvalidInput

# What one contact costs the company, by channel, in the run's currency. Defaults to be
# set per company (ACCORD_ANALYTICS_CHANNEL_COSTS); unknown channels cost nothing.
DEFAULT_CHANNEL_COSTS: dict[str, float] = {
    "email": 0.50, "sms": 0.10, "call": 4.00, "meeting": 40.00, "letter": 2.00,
    "fax": 2.00, "chat": 1.50, "web_visit": 0.00, "campaign_response": 0.20,
    "survey": 0.50, "note": 0.00,
}


@dataclass(frozen=True)
class RunSettings:
    time_unit: str = "weeks"
    horizon_days: int = 90  # expected purchases over this many days
    lifetime_months: int = 12  # lifetime value horizon
    monthly_discount: float = 0.01
    margin: float = 0.30  # gross margin on revenue
    pattern_window_days: int = 56  # recent purchases compared with the model's forecast
    churn_window_days: int = 90  # "churned" = no purchase for this long (the label)
    contact_window_days: int = 90  # contacts, complaints and waits counted over this
    cost_window_days: int = 365  # cost to serve counted over this
    offers: int = 3  # next-best-offer products per customer
    offer_min_customers: int = 5  # a pair needs this many customers to count
    currency: str = ""  # "" = the currency most purchases are in
    channel_costs: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_CHANNEL_COSTS))

    @property
    def days_per_unit(self) -> float:
        return TIME_UNITS[self.time_unit]

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RunSettings:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return check(cls(**known))

    def with_overrides(self, **changes: Any) -> RunSettings:
        """These settings with ``changes`` (None leaves a setting as it is); channel costs
        given are merged into the current ones."""
        unknown = sorted(set(changes) - set(self.__dataclass_fields__))
        if unknown:
            raise InvalidInput(f"There is no analytics setting called {unknown[0]!r}.",
                               field=unknown[0])
        given = {k: v for k, v in changes.items() if v is not None}
        if isinstance(given.get("channel_costs"), dict):
            given["channel_costs"] = {**self.channel_costs, **given["channel_costs"]}
        return check(replace(self, **given))


def check(settings: RunSettings) -> RunSettings:
    """Refuse settings no run can use, naming the setting."""
    if settings.time_unit not in TIME_UNITS:
        raise InvalidInput("time_unit must be days or weeks.", field="time_unit")
    for name in ("horizon_days", "lifetime_months", "pattern_window_days",
                 "churn_window_days", "contact_window_days", "cost_window_days", "offers",
                 "offer_min_customers"):
        value = getattr(settings, name)
        if not isinstance(value, int) or value < 0:
            raise InvalidInput(f"{name} must be a whole number, 0 or more.", field=name)
    if settings.pattern_window_days < 1 or settings.churn_window_days < 1:
        raise InvalidInput("The pattern and churn windows need at least one day.",
                           field="pattern_window_days")
    if not 0 <= settings.monthly_discount < 1:
        raise InvalidInput("monthly_discount must be between 0 and 1.", field="monthly_discount")
    if not 0 <= settings.margin <= 1:
        raise InvalidInput("margin must be between 0 and 1.", field="margin")
    for channel, cost in settings.channel_costs.items():
        if not isinstance(cost, int | float) or cost < 0:
            raise InvalidInput(f"The cost of a {channel} contact must be 0 or more.",
                               field=f"channel_costs.{channel}")
    return settings
