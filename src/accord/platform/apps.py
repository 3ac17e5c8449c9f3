from django.apps import AppConfig


class PlatformConfig(AppConfig):
    name = "accord.platform"
    label = "platform"
    verbose_name = "Platform"
