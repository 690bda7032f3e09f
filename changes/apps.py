from django.apps import AppConfig


class ChangesConfig(AppConfig):
    """Incremental sync: the log of deleted rows and the live data's version.

    Sits above ``events``: it names rows by the data package's resources and public keys.
    """

    name = "changes"
    verbose_name = "Changes"

    def ready(self):
        from django.db.models.signals import post_migrate, pre_migrate

        from . import triggers

        pre_migrate.connect(triggers.uninstall, sender=self)
        post_migrate.connect(triggers.install, sender=self)
