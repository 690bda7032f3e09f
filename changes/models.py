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
    """On PostgreSQL, the number of writing statements the dataset's tables have run: one
    row, counted by a trigger before each such statement (``triggers.py``), and part of the
    live data's version (``version.py``).

    The count's row stays locked by a transaction from its first write until it ends, so
    writing transactions commit one after the other and every commit makes a new count
    visible. The latest stamps cannot promise that: a transaction that stamped its rows
    earlier can commit after one that stamped later. On SQLite the database itself
    serialises writers (``transaction_mode`` IMMEDIATE), and the row stays unused.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    writes = models.BigIntegerField(default=0, help_text="Writing statements run so far.")

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="write_count_one_row")]

    def __str__(self):
        return f"{self.writes} writes"
