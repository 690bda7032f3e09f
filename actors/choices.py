from django.db import models


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
