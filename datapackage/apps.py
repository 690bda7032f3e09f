from django.apps import AppConfig


class DatapackageConfig(AppConfig):
    name = "datapackage"
    verbose_name = "Data package and releases"
    default_auto_field = "django.db.models.BigAutoField"
