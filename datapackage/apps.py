from django.apps import AppConfig


class DatapackageConfig(AppConfig):
    name = "datapackage"
    verbose_name = "Data package and releases"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.core.signals import request_finished

        from . import snapshots

        request_finished.connect(snapshots.forget)
