from django.db import models
from django.db.models.functions import Now


class Deletion(models.Model):
    """A row deleted from the dataset, by any path: the API, the admin, a load with
    ``--replace`` or SQL. Written by database triggers (see the migrations), so that no path
    can delete a row without leaving a trace for clients that mirror the dataset."""

    resource = models.CharField(
        max_length=40, help_text="The data package resource of the row, e.g. events."
    )
    key = models.JSONField(
        help_text="The row's public key: a slug, an id, or a list for a composite key "
        "(e.g. [event id, actor slug, role])."
    )
    deleted_at = models.DateTimeField(db_default=Now(), help_text="When the row was deleted.")

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["deleted_at", "id"])]

    def __str__(self):
        return f"{self.resource} {self.key}"
