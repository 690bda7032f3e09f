from django.apps import AppConfig


class ActorsConfig(AppConfig):
    name = "actors"
    verbose_name = "Actors"

    def ready(self):
        from django.db.models.signals import post_migrate

        from . import triggers

        post_migrate.connect(triggers.install, sender=self)
