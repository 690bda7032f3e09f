"""Rules that span rows or tables, declared once as data.

A check constraint holds a rule about one row; these hold the two rules of the data model
that relate rows: every event and position cites a source, and the actor hierarchy has no
cycles. Each is declared beside its model (``events.models.CITATION_RULES``,
``actors.models.HIERARCHY_RULE``) and read by everything that enforces it (the admin, the
API, the data package validator, the database triggers' messages), so all of them say the
same words.
"""

from dataclasses import dataclass

# No walk up a hierarchy goes further than this, whatever is stored: a longer chain is
# reported as an error rather than followed (the curated hierarchy is 4 levels deep).
MAX_HIERARCHY_DEPTH = 64

# Rules the database enforces beyond its constraints (with triggers), for error messages.
_DATABASE_RULES = []
# The CitedBy rule of each cited model.
_CITED = {}


def cited_rule(model):
    """The CitedBy rule of ``model``, or None when its rows need no citation."""
    return _CITED.get(model)


def database_rules():
    """The rules enforced by database triggers; their name appears in the database's error."""
    return list(_DATABASE_RULES)


@dataclass(frozen=True)
class CitedBy:
    """Every row of ``model`` has at least one row in its ``related_name`` citations."""

    model: type
    related_name: str = "citations"

    def __post_init__(self):
        _CITED[self.model] = self

    @property
    def citation_model(self):
        return self.model._meta.get_field(self.related_name).related_model

    @property
    def link(self):
        """The citation's foreign key to the cited row, e.g. ``event``."""
        return self.model._meta.get_field(self.related_name).field.name

    @property
    def noun(self):
        return str(self.model._meta.verbose_name)

    @property
    def message(self):
        return (
            f"Every {self.noun} cites at least one source: add a citation (a source and "
            f"the passage of it that supports the {self.noun})."
        )


@dataclass(frozen=True)
class Acyclic:
    """Following ``field`` from any row never comes back to it, nor goes deeper than
    ``max_depth``."""

    model: type
    field: str = "parent"
    max_depth: int = MAX_HIERARCHY_DEPTH

    def __post_init__(self):
        _DATABASE_RULES.append(self)

    @property
    def name(self):
        """The name the database trigger raises with, e.g. ``actor_parent_acyclic``."""
        return f"{self.model._meta.model_name}_{self.field}_acyclic"

    @property
    def noun(self):
        return str(self.model._meta.verbose_name)

    @property
    def message(self):
        return f"An {self.noun} cannot be its own ancestor (a cycle of {self.field}s)."

    @property
    def depth_message(self):
        return f"The {self.noun} hierarchy is deeper than {self.max_depth} levels."
