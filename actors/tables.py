from common.tabular import Table

from .models import Actor, ActorAlias

ACTORS = Table.from_model(
    "actors",
    Actor,
    primary_key=["slug"],
    title="Actors",
    description="States, forces, groups, organisations and people, with their hierarchy.",
)
ACTOR_ALIASES = Table.from_model(
    "actor_aliases",
    ActorAlias,
    primary_key=["actor", "alias"],
    title="Actor aliases",
    description="Other names the actors go by.",
)
TABLES = [ACTORS, ACTOR_ALIASES]
