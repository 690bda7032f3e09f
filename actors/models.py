from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models

from common.models import (
    COUNTRY_PATTERN,
    SLUG_PATTERN,
    WIKIDATA_PATTERN,
    TimestampedModel,
    choices_check,
    pattern_check,
)
from common.rules import Acyclic

from .choices import ActorKind

slug_validator = RegexValidator(SLUG_PATTERN, "Use lowercase letters, digits and single hyphens.")
country_validator = RegexValidator(COUNTRY_PATTERN, "Use an ISO 3166-1 alpha-2 code, e.g. SY.")
wikidata_validator = RegexValidator(WIKIDATA_PATTERN, "Use a Wikidata item id, e.g. Q159.")


class Actor(TimestampedModel):
    """A state, force, group, organisation or person that takes part in events."""

    slug = models.SlugField(
        max_length=100,
        unique=True,
        validators=[slug_validator],
        help_text="Stable public key, e.g. 'quds-force'. Never changes once published.",
    )
    name = models.CharField(max_length=200, help_text="The actor's name in English.")
    short_name = models.CharField(
        max_length=100, blank=True, help_text="A short form of the name for tables and charts."
    )
    kind = models.CharField(
        max_length=40, choices=ActorKind.choices, help_text="What sort of actor it is."
    )
    country = models.CharField(
        max_length=2,
        blank=True,
        validators=[country_validator],
        help_text="ISO 3166-1 alpha-2 code of the actor's home state, if any.",
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        help_text="The state or body the actor belongs to or acts for, e.g. Quds Force -> "
        "IRGC -> Iran; a person is placed under the state or body they act for.",
    )
    wikidata_id = models.CharField(
        "Wikidata id",
        max_length=20,
        blank=True,
        validators=[wikidata_validator],
        help_text="The actor's Wikidata item, e.g. Q159 for Russia, when one is certain.",
    )
    description = models.TextField(blank=True, help_text="Who the actor is, in a sentence or two.")

    class Meta:
        ordering = ["slug"]
        constraints = [
            pattern_check("slug", SLUG_PATTERN, "actor_slug_valid"),
            models.CheckConstraint(condition=~models.Q(name=""), name="actor_name_not_blank"),
            choices_check("kind", ActorKind, "actor_kind_valid"),
            pattern_check("country", COUNTRY_PATTERN, "actor_country_valid", blank=True),
            pattern_check("wikidata_id", WIKIDATA_PATTERN, "actor_wikidata_id_valid", blank=True),
            models.CheckConstraint(
                condition=~models.Q(parent=models.F("pk")),
                name="actor_not_own_parent",
                violation_error_message="an actor cannot be its own parent",
            ),
            models.UniqueConstraint(
                fields=["wikidata_id"],
                condition=~models.Q(wikidata_id=""),
                name="actor_wikidata_id_unique",
            ),
        ]
        indexes = [models.Index(fields=["kind"]), models.Index(fields=["country"])]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        rule = HIERARCHY_RULE
        # Bounded whatever is stored: a walk that meets an actor twice or climbs past
        # max_depth stops and reports (the database refuses both, but may hold older rows).
        seen = {self.pk}
        ancestor_id = self.parent_id
        for _level in range(rule.max_depth):
            if ancestor_id is None:
                return
            if ancestor_id in seen:
                raise ValidationError({rule.field: rule.message})
            seen.add(ancestor_id)
            ancestor_id = (
                Actor.objects.filter(pk=ancestor_id).values_list("parent_id", flat=True).first()
            )
        if ancestor_id is not None:
            raise ValidationError({rule.field: rule.depth_message})


class ActorAlias(TimestampedModel):
    """Another name an actor goes by; searches match aliases ('Ansar Allah')."""

    actor = models.ForeignKey(
        Actor, on_delete=models.CASCADE, related_name="aliases", help_text="The actor (slug)."
    )
    alias = models.CharField(max_length=200, help_text="Another name the actor goes by.")

    class Meta:
        ordering = ["actor__slug", "alias"]
        verbose_name_plural = "actor aliases"
        constraints = [
            models.UniqueConstraint(fields=["actor", "alias"], name="actor_alias_unique"),
            models.CheckConstraint(condition=~models.Q(alias=""), name="actor_alias_not_blank"),
        ]

    def __str__(self):
        return self.alias


HIERARCHY_RULE = Acyclic(Actor, "parent")
