from django.db import models

from common.choices import describe


class Verdict(models.TextChoices):
    AGREE = "agree", "Agree"
    PARTLY = "partly", "Partly"
    DIVERGE = "diverge", "Diverge"
    COMPETE = "compete", "Compete"


class EventSide(models.TextChoices):
    SAME = "same", "Same side"
    OPPOSITE = "opposite", "Opposite sides"


describe(
    Verdict,
    {
        Verdict.AGREE: "Both sides' latest stances on the issue are the same.",
        Verdict.PARTLY: "The stances differ, but not as support against opposition (e.g. "
        "supports and mixed).",
        Verdict.DIVERGE: "One side supports and the other opposes.",
        Verdict.COMPETE: "A competition relation between the two concerns the issue, whatever "
        "their stances.",
    },
)
describe(
    EventSide,
    {
        EventSide.SAME: "Both took part, and neither was the target of the other's action.",
        EventSide.OPPOSITE: "One side was a target while the other initiated or supported the "
        "event.",
    },
)

# What the comparison's figures mean, in the words the API schema, the pages and the README use.
MEASURES = {
    "issues_compared": "Issues on which both sides hold a position in scope.",
    "agreement": "The share of compared issues on which the two agree (agree / issues).",
    "kappa": "Cohen's kappa of the two sides' stances over the compared issues: agreement "
    "beyond what chance would give (1 = always the same, 0 = as chance, below 0 = less "
    "than chance); empty when it cannot be computed.",
    "s_score": "Signorino and Ritter's S: 1 - 2 x the mean distance between the stances, "
    "with supports = 1, mixed = neutral = 0.5, opposes = 0 (1 = identical, -1 = opposite).",
    "latest": "A side's stance on an issue is that of its latest position in scope: the "
    "latest end, else the latest date it was still held, else the latest start; undated "
    "positions count as the oldest.",
    "tree": "With 'include the actors below', each side also counts every actor below it "
    "in the hierarchy (e.g. Iran with the IRGC and the Quds Force).",
}
