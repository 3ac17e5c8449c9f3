from django.apps import AppConfig


class CaptureConfig(AppConfig):
    name = "accord.capture"
    label = "capture"
    verbose_name = "Capture"

    def ready(self) -> None:
        from accord.capture import events  # noqa: F401  (registers event types)
        from accord.capture.services.campaigns import any_active_codes, record_responses
        from accord.capture.tasks import sync_due_sources
        from accord.interactions.events import InteractionRecorded
        from accord.platform.events import subscribe_batch
        from accord.platform.schedule import register_periodic

        register_periodic("capture.sync_due", sync_due_sources)
        subscribe_batch(InteractionRecorded, record_responses, interested=any_active_codes)
