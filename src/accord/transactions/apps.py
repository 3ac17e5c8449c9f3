from django.apps import AppConfig


class TransactionsConfig(AppConfig):
    name = "accord.transactions"
    label = "transactions"
    verbose_name = "Transactions"

    def ready(self) -> None:
        from accord.transactions import events  # noqa: F401  (registers event types)
