from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "accord.customers"
    label = "customers"
    verbose_name = "Customers"

    def ready(self) -> None:
        from accord.customers import events  # noqa: F401  (registers event types)
