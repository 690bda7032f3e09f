from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, models
from django.db.models import Q

# Patterns shared by the model validators and the database check constraints.
SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
COUNTRY_PATTERN = r"^[A-Z]{2}$"
WIKIDATA_PATTERN = r"^Q[1-9][0-9]*$"
LANGUAGE_PATTERN = r"^[a-z]{2,3}$"


class TimestampedModel(models.Model):
    created = models.DateTimeField(
        auto_now_add=True, editable=False, help_text="When the row was added to the database."
    )
    # Indexed: the live dataset's version reads the latest of each table.
    updated = models.DateTimeField(
        auto_now=True, editable=False, db_index=True, help_text="When the row was last changed."
    )

    class Meta:
        abstract = True


class FieldCheckConstraint(models.CheckConstraint):
    """A check constraint whose violation is reported on ``field``, in the constraint's words.

    The same words reach everyone who is refused: the admin form and the API (through
    ``full_clean``), the data package validator (which reads the message from the model)
    and, for a write that gets past both, the API's database-error handler.
    """

    def __init__(self, *args, field=None, **kwargs):
        self.field = field
        super().__init__(*args, **kwargs)

    def validate(self, model, instance, exclude=None, using=DEFAULT_DB_ALIAS):
        try:
            super().validate(model, instance, exclude=exclude, using=using)
        except ValidationError as error:
            if self.field is None:
                raise
            raise ValidationError({self.field: error.error_list}) from None

    def deconstruct(self):
        path, args, kwargs = super().deconstruct()
        if self.field is not None:
            kwargs["field"] = self.field
        return path, args, kwargs

    def __eq__(self, other):
        return super().__eq__(other) and getattr(other, "field", None) == self.field


def date_end_field():
    return models.DateField(
        null=True,
        blank=True,
        help_text="When the period ended, as precise as date_precision; empty while it goes on "
        "or when the source gives no end.",
    )


def date_precision_field(choices):
    return models.CharField(
        max_length=10,
        choices=choices,
        blank=True,
        help_text="How precise date_start and date_end are: a month is stored as its 1st day, "
        "a year as 1 January; empty for a row without a start.",
    )


def ongoing_as_of_field():
    return models.DateField(
        null=True,
        blank=True,
        help_text="The row still held on this date (usually its source's publication date); "
        "date_end is then empty.",
    )


def choices_check(field, choices, name, *, blank=False):
    """A check constraint that keeps ``field`` inside a TextChoices vocabulary."""
    condition = Q(**{f"{field}__in": choices.values})
    if blank:
        condition |= Q(**{field: ""})
    return models.CheckConstraint(condition=condition, name=name)


def pattern_check(field, pattern, name, *, blank=False):
    condition = Q(**{f"{field}__regex": pattern})
    if blank:
        condition |= Q(**{field: ""})
    return models.CheckConstraint(condition=condition, name=name)


def date_precision_checks(prefix, precision_choices, *, nullable_start=False):
    """Constraints for a period: (date_start, date_end, date_precision, ongoing_as_of).

    A month is stored as its first day and a year as 1 January, so the precision must agree
    with the stored start date and with the stored end date (a row has one precision, for
    both); the end never comes before the start. A period still going on when its source was
    written has ``ongoing_as_of`` (that date) and no end.
    """
    checks = [
        choices_check(
            "date_precision",
            precision_choices,
            f"{prefix}_date_precision_valid",
            blank=nullable_start,
        ),
        FieldCheckConstraint(
            condition=Q(date_end__isnull=True) | Q(date_end__gte=models.F("date_start")),
            name=f"{prefix}_date_end_after_start",
            violation_error_message="date_end must not come before date_start",
            field="date_end",
        ),
        FieldCheckConstraint(
            condition=~Q(date_precision="month") | Q(date_start__day=1),
            name=f"{prefix}_month_precision_first_day",
            violation_error_message=(
                "a month-precision date is stored as the first day of its month"
            ),
            field="date_start",
        ),
        FieldCheckConstraint(
            condition=~Q(date_precision="year") | Q(date_start__day=1, date_start__month=1),
            name=f"{prefix}_year_precision_first_january",
            violation_error_message="a year-precision date is stored as 1 January of its year",
            field="date_start",
        ),
        # The precision is the row's, for its end as for its start: date filters read
        # date_end as the whole month or year it names (periods.period_end, SpanClass).
        FieldCheckConstraint(
            condition=~Q(date_precision="month") | Q(date_end__isnull=True) | Q(date_end__day=1),
            name=f"{prefix}_month_precision_end_first_day",
            violation_error_message=(
                "a month-precision end date is stored as the first day of its month"
            ),
            field="date_end",
        ),
        FieldCheckConstraint(
            condition=~Q(date_precision="year")
            | Q(date_end__isnull=True)
            | Q(date_end__day=1, date_end__month=1),
            name=f"{prefix}_year_precision_end_first_january",
            violation_error_message="a year-precision end date is stored as 1 January of its year",
            field="date_end",
        ),
    ]
    checks += [
        FieldCheckConstraint(
            condition=Q(ongoing_as_of__isnull=True) | Q(date_end__isnull=True),
            name=f"{prefix}_ongoing_has_no_end",
            violation_error_message=(
                "a period still going on (ongoing_as_of) has no date_end; give one or the other"
            ),
            field="ongoing_as_of",
        ),
        FieldCheckConstraint(
            condition=Q(ongoing_as_of__isnull=True)
            | Q(date_start__isnull=True)
            | Q(ongoing_as_of__gte=models.F("date_start")),
            name=f"{prefix}_ongoing_after_start",
            violation_error_message="ongoing_as_of must not come before date_start",
            field="ongoing_as_of",
        ),
    ]
    if nullable_start:
        checks.append(
            FieldCheckConstraint(
                condition=(
                    Q(date_start__isnull=True, date_precision="", date_end__isnull=True)
                    | (Q(date_start__isnull=False) & ~Q(date_precision=""))
                ),
                name=f"{prefix}_undated_has_no_precision",
                violation_error_message=(
                    "a dated row needs a date_precision; an undated one has neither "
                    "date_precision nor date_end"
                ),
                field="date_precision",
            )
        )
    return checks
