from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "accord.analytics"
    label = "analytics"
    verbose_name = "Analytics"

    def ready(self) -> None:
        from accord.analytics.services.realtime import any_finished_run, rescore_after_transactions
        from accord.analytics.tasks import run_nightly
        from accord.platform.events import subscribe_batch
        from accord.platform.schedule import register_periodic
        from accord.transactions.events import TransactionRecorded

        subscribe_batch(TransactionRecorded, rescore_after_transactions,
                        interested=any_finished_run)
        register_periodic("analytics nightly run", run_nightly)
