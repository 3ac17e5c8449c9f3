from django.apps import AppConfig


class InteractionsConfig(AppConfig):
    name = "accord.interactions"
    label = "interactions"
    verbose_name = "Interactions"

    def ready(self) -> None:
        from accord.interactions import events  # noqa: F401  (registers event types)
