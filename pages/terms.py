"""Words for the alignment comparison's verdicts, sides and measures.

alignment/compare.py defines them in its docstring only (no ``describe``d vocabulary), so
the pages state them here, in the same words; tests hold the keys to compare.py's own.
"""

VERDICTS = {
    "agree": "Both sides' latest stances on the issue are the same.",
    "partly": "The stances differ, but not as support against opposition (e.g. supports "
    "and mixed).",
    "diverge": "One side supports and the other opposes.",
    "compete": "A competition relation between the two concerns the issue, whatever their stances.",
}

EVENT_SIDES = {
    "same": "Both took part, and neither was the target of the other's action.",
    "opposite": "One side was a target while the other initiated or supported the event.",
}

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
