from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "accord.customers"
    label = "customers"
    verbose_name = "Customers"

    def ready(self) -> None:
        from accord.customers import events  # noqa: F401  (registers event types)
        from accord.customers.tasks import find_duplicates_when_due
        from accord.platform.schedule import register_periodic

        register_periodic("customers.find_duplicates", find_duplicates_when_due)
