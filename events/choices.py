from django.db import models


class EventType(models.TextChoices):
    ARMED_CLASH = "armed_clash", "Armed clash"
    AIRSTRIKE = "airstrike", "Airstrike"
    OFFENSIVE = "offensive", "Offensive"
    DEPLOYMENT = "deployment", "Deployment"
    DIPLOMATIC_VISIT = "diplomatic_visit", "Diplomatic visit"
    NEGOTIATIONS = "negotiations", "Negotiations"
    AGREEMENT = "agreement", "Agreement"
    UN_VOTE = "un_vote", "UN vote"
    SANCTIONS = "sanctions", "Sanctions"
    LEGAL_ACTION = "legal_action", "Legal action"
    APPOINTMENT = "appointment", "Appointment"
    PROTEST = "protest", "Protest"
    ECONOMIC_DEAL = "economic_deal", "Economic deal"
    STATEMENT = "statement", "Statement"
    OTHER = "other", "Other"


class Role(models.TextChoices):
    INITIATOR = "initiator", "Initiator"
    TARGET = "target", "Target"
    PARTICIPANT = "participant", "Participant"
    SUPPORTER = "supporter", "Supporter"
    MEDIATOR = "mediator", "Mediator"
    HOST = "host", "Host"


class DatePrecision(models.TextChoices):
    DAY = "day", "Day"
    MONTH = "month", "Month"
    YEAR = "year", "Year"


class GeoPrecision(models.TextChoices):
    EXACT = "exact", "Exact"
    CITY = "city", "City"
    REGION = "region", "Region"
    COUNTRY = "country", "Country"


class Stance(models.TextChoices):
    SUPPORTS = "supports", "Supports"
    OPPOSES = "opposes", "Opposes"
    NEUTRAL = "neutral", "Neutral"
    MIXED = "mixed", "Mixed"


class SourceType(models.TextChoices):
    ANALYSIS = "analysis", "Analysis"
    NEWS = "news", "News"
    ACADEMIC = "academic", "Academic"
    OFFICIAL_DOCUMENT = "official_document", "Official document"
    UN_DOCUMENT = "un_document", "UN document"
    NGO_REPORT = "ngo_report", "NGO report"
    DATASET = "dataset", "Dataset"
    OTHER = "other", "Other"


class RelationKind(models.TextChoices):
    ALLIANCE = "alliance", "Alliance"
    COOPERATION = "cooperation", "Cooperation"
    SUPPORT = "support", "Support"
    COMPETITION = "competition", "Competition"
    OPPOSITION = "opposition", "Opposition"
    ARMED_CONFLICT = "armed_conflict", "Armed conflict"


# ``support`` is directed (actor supports counterpart); every other kind is symmetric.
DIRECTED_RELATION_KINDS = (RelationKind.SUPPORT,)


class RelationDomain(models.TextChoices):
    MILITARY = "military", "Military"
    SECURITY = "security", "Security"
    INTELLIGENCE = "intelligence", "Intelligence"
    ECONOMIC = "economic", "Economic"
    DIPLOMATIC = "diplomatic", "Diplomatic"
    MEDIA = "media", "Media"
    OTHER = "other", "Other"
