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


class WriteCount(models.Model):
    """How many writes the dataset's tables have had: one row, counted by triggers (each
    writing statement on PostgreSQL, each row written on SQLite: ``triggers.py``), and part
    of the live data's version (``version.py``), so that every commit that wrote changes
    the version. The latest stamps cannot promise that: on PostgreSQL a transaction that
    stamped its rows first can commit last; on SQLite a row stamped by trigger (to the
    millisecond) can stay below one Django stamped a moment before (to the microsecond).

    On PostgreSQL the row stays locked by a transaction from its first write until it ends,
    so writing transactions commit one after the other; SQLite's already do.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    writes = models.BigIntegerField(default=0, help_text="Writes counted so far.")

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="write_count_one_row")]

    def __str__(self):
        return f"{self.writes} writes"
