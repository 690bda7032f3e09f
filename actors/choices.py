from django.db import models

from common.choices import describe


class ActorKind(models.TextChoices):
    STATE = "state", "State"
    GOVERNMENT = "government", "Government"
    ARMED_FORCES = "armed_forces", "Armed forces"
    INTELLIGENCE_AGENCY = "intelligence_agency", "Intelligence agency"
    PARAMILITARY = "paramilitary", "Paramilitary"
    ARMED_GROUP = "armed_group", "Armed group"
    PRIVATE_MILITARY_COMPANY = "private_military_company", "Private military company"
    POLITICAL_PARTY = "political_party", "Political party"
    INTERGOVERNMENTAL_ORGANISATION = (
        "intergovernmental_organisation",
        "Intergovernmental organisation",
    )
    PERSON = "person", "Person"
    MEDIA_OUTLET = "media_outlet", "Media outlet"
    COMPANY = "company", "Company"
    OTHER = "other", "Other"


describe(
    ActorKind,
    {
        ActorKind.STATE: "A sovereign state as a whole, e.g. Russia or Iran.",
        ActorKind.GOVERNMENT: "A state's government or ruling administration, e.g. the Assad "
        "government.",
        ActorKind.ARMED_FORCES: "A state's regular military, or a branch or unit of it, e.g. "
        "the IRGC or its Quds Force.",
        ActorKind.INTELLIGENCE_AGENCY: "A state security or intelligence service.",
        ActorKind.PARAMILITARY: "An armed force organised like a military but outside a "
        "state's regular armed forces.",
        ActorKind.ARMED_GROUP: "A non-state armed group, e.g. the Houthis or Hezbollah.",
        ActorKind.PRIVATE_MILITARY_COMPANY: "A company that provides fighters or military "
        "services, e.g. the Wagner Group.",
        ActorKind.POLITICAL_PARTY: "A political party or movement acting as such.",
        ActorKind.INTERGOVERNMENTAL_ORGANISATION: "An organisation of states, e.g. the United "
        "Nations or the Arab League, or one of its organs.",
        ActorKind.PERSON: "An individual, e.g. a head of state or a commander.",
        ActorKind.MEDIA_OUTLET: "A broadcaster, newspaper or news agency, e.g. RT Arabic.",
        ActorKind.COMPANY: "A commercial company other than a private military company.",
        ActorKind.OTHER: "Any other actor, e.g. a coalition or a loose group of states.",
    },
)
