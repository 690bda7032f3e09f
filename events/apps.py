from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = "Events and positions"

    def ready(self):
        from django.db.models.signals import post_migrate

        from . import search

        post_migrate.connect(search.install, sender=self)
