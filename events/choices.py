from django.db import models

from common.choices import describe


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


describe(
    EventType,
    {
        EventType.ARMED_CLASH: "Fighting between armed parties, up to a whole war.",
        EventType.AIRSTRIKE: "Strikes from the air: bombing or missile strikes by aircraft.",
        EventType.OFFENSIVE: "A planned military campaign to take or hold ground.",
        EventType.DEPLOYMENT: "Sending or keeping forces, bases or personnel somewhere.",
        EventType.DIPLOMATIC_VISIT: "An official visit of a delegation or an envoy.",
        EventType.NEGOTIATIONS: "Talks between parties, e.g. a peace process.",
        EventType.AGREEMENT: "An agreement, deal or understanding between parties.",
        EventType.UN_VOTE: "A vote in a United Nations body.",
        EventType.SANCTIONS: "Sanctions imposed, extended or lifted.",
        EventType.LEGAL_ACTION: "A lawsuit, arbitration or other legal proceeding.",
        EventType.APPOINTMENT: "An appointment to an office, e.g. an ambassador.",
        EventType.PROTEST: "Demonstrations or mass protests.",
        EventType.ECONOMIC_DEAL: "A contract, investment or trade deal.",
        EventType.STATEMENT: "A public statement, declaration or criticism.",
        EventType.OTHER: "Any other event.",
    },
)
describe(
    Role,
    {
        Role.INITIATOR: "Carried out the event itself: struck, attacked, deployed, proposed.",
        Role.TARGET: "The event was directed against it.",
        Role.PARTICIPANT: "Took part, without initiating it or being its target, e.g. a "
        "party to talks.",
        Role.SUPPORTER: "Backed another's action (arms, money, troops, cover) without carrying "
        "it out itself.",
        Role.MEDIATOR: "Brokered or facilitated between other parties.",
        Role.HOST: "The event took place on its territory or at its invitation.",
    },
)
describe(
    DatePrecision,
    {
        DatePrecision.DAY: "The date is exact to the day.",
        DatePrecision.MONTH: "Only the month is known; the date is stored as its 1st day.",
        DatePrecision.YEAR: "Only the year is known; the date is stored as 1 January.",
    },
)
describe(
    GeoPrecision,
    {
        GeoPrecision.EXACT: "The coordinates are those of the place itself.",
        GeoPrecision.CITY: "The coordinates are those of the city or town.",
        GeoPrecision.REGION: "The coordinates are those of the region or province.",
        GeoPrecision.COUNTRY: "The coordinates are those of the country.",
    },
)
describe(
    Stance,
    {
        Stance.SUPPORTS: "The actor is for it.",
        Stance.OPPOSES: "The actor is against it.",
        Stance.NEUTRAL: "The actor takes neither side.",
        Stance.MIXED: "The actor is partly for and partly against it, or ambivalent.",
    },
)
describe(
    SourceType,
    {
        SourceType.ANALYSIS: "Commentary or analysis, e.g. a think-tank blog post.",
        SourceType.NEWS: "A news report.",
        SourceType.ACADEMIC: "A peer-reviewed article or scholarly book.",
        SourceType.OFFICIAL_DOCUMENT: "A government's or party's own document or statement.",
        SourceType.UN_DOCUMENT: "A United Nations document, e.g. a Security Council resolution.",
        SourceType.NGO_REPORT: "A report by a non-governmental organisation.",
        SourceType.DATASET: "A published dataset.",
        SourceType.OTHER: "Any other document.",
    },
)
describe(
    RelationKind,
    {
        RelationKind.ALLIANCE: "The two act together as allies (symmetric).",
        RelationKind.COOPERATION: "The two work together on something, short of an alliance "
        "(symmetric).",
        RelationKind.SUPPORT: "The actor supports the counterpart with arms, money, troops or "
        "cover (directed).",
        RelationKind.COMPETITION: "The two compete for the same thing, e.g. contracts or "
        "influence (symmetric). On an issue, it makes the alignment verdict 'compete'.",
        RelationKind.OPPOSITION: "The two stand against each other, short of fighting (symmetric).",
        RelationKind.ARMED_CONFLICT: "The two fight each other (symmetric).",
    },
)
describe(
    RelationDomain,
    {
        RelationDomain.MILITARY: "Armed forces, fighting, arms.",
        RelationDomain.SECURITY: "Security services, policing, private security.",
        RelationDomain.INTELLIGENCE: "Intelligence services and information sharing.",
        RelationDomain.ECONOMIC: "Trade, investment, contracts, sanctions.",
        RelationDomain.DIPLOMATIC: "Recognition, negotiations, votes, diplomatic cover.",
        RelationDomain.MEDIA: "Broadcasting, news and messaging.",
        RelationDomain.OTHER: "Any other field.",
    },
)
