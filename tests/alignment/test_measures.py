"""The summary measures against values computed by hand."""

import pytest

from alignment.compare import cohen_kappa, event_side, latest, s_score, summarize, verdict

SUP, OPP, MIX, NEU = "supports", "opposes", "mixed", "neutral"


def test_kappa_by_hand():
    # po = 2/4; pe = (2/4)(2/4) + (1/4)(1/4) + (1/4)(1/4) = 0.375; (0.5 - 0.375) / 0.625
    assert cohen_kappa([(SUP, SUP), (OPP, SUP), (MIX, MIX), (SUP, OPP)]) == pytest.approx(0.2)


def test_kappa_of_perfect_agreement_on_varied_stances_is_one():
    assert cohen_kappa([(SUP, SUP), (OPP, OPP)]) == pytest.approx(1.0)


def test_kappa_is_undefined_when_chance_agreement_is_certain():
    # Both sides always "supports": pe = 1.
    assert cohen_kappa([(SUP, SUP), (SUP, SUP), (SUP, SUP)]) is None


def test_kappa_is_undefined_without_issues():
    assert cohen_kappa([]) is None


def test_kappa_below_zero_when_the_sides_disagree_systematically():
    # po = 0; pe = (1/2)(1/2) + (1/2)(1/2) = 0.5; (0 - 0.5) / 0.5
    assert cohen_kappa([(SUP, OPP), (OPP, SUP)]) == pytest.approx(-1.0)


def test_s_score_by_hand():
    # distances 0, 1, 0, 1, 0.5 -> mean 0.5; neutral and mixed both score 0.5
    assert s_score([(SUP, SUP), (OPP, SUP), (MIX, NEU), (SUP, OPP), (SUP, MIX)]) == pytest.approx(
        1 - 2 * 0.5
    )


def test_s_score_extremes_and_undefined():
    assert s_score([(SUP, SUP)]) == 1
    assert s_score([(SUP, OPP)]) == -1
    assert s_score([]) is None


@pytest.mark.parametrize(
    ("a", "b", "competing", "expected"),
    [
        (SUP, SUP, False, "agree"),
        (MIX, MIX, False, "agree"),
        (SUP, OPP, False, "diverge"),
        (OPP, SUP, False, "diverge"),
        (SUP, MIX, False, "partly"),
        (NEU, OPP, False, "partly"),
        (SUP, SUP, True, "compete"),
        (SUP, OPP, True, "compete"),
    ],
)
def test_verdict(a, b, competing, expected):
    assert verdict(a, b, competing) == expected


def test_summary_rounds_to_four_decimals_and_counts_verdicts():
    compared = [
        {"stance_a": SUP, "stance_b": SUP, "verdict": "agree"},
        {"stance_a": SUP, "stance_b": OPP, "verdict": "diverge"},
        {"stance_a": MIX, "stance_b": SUP, "verdict": "partly"},
    ]
    summary = summarize(compared, [], [])
    assert summary["issues_compared"] == 3
    assert (summary["agree"], summary["diverge"], summary["partly"], summary["compete"]) == (
        1,
        1,
        1,
        0,
    )
    assert summary["agreement"] == 0.3333
    # po = 1/3; a: S 2/3, M 1/3; b: S 2/3, O 1/3; pe = 4/9; (1/3 - 4/9) / (5/9) = -0.2
    assert summary["kappa"] == -0.2
    # distances 0, 1, 0.5 -> mean 0.5 -> S = 0
    assert summary["s_score"] == 0.0


def test_summary_of_nothing_is_null_not_zero():
    summary = summarize([], [], [])
    assert (summary["agreement"], summary["kappa"], summary["s_score"]) == (None, None, None)
    assert summary["issues_compared"] == 0


def position(id, start=None, end=None, ongoing=None, stance=SUP):
    return {
        "id": id,
        "stance": stance,
        "date_start": start,
        "date_end": end,
        "ongoing_as_of": ongoing,
    }


def test_latest_prefers_the_latest_end_then_ongoing_then_start():
    import datetime

    d = datetime.date
    positions = [
        position(1, start=d(2016, 1, 1), end=d(2018, 1, 1), stance=OPP),
        position(2, start=d(2015, 1, 1), ongoing=d(2021, 7, 3), stance=MIX),
        position(3, start=d(2019, 1, 1), stance=NEU),
        position(4, stance=SUP),  # undated: the oldest
    ]
    assert latest(positions)["id"] == 2
    assert latest([positions[0], positions[2], positions[3]])["id"] == 3
    assert latest([positions[3]])["id"] == 4


def test_latest_breaks_ties_by_the_highest_id():
    import datetime

    when = datetime.date(2020, 1, 1)
    assert latest([position(7, start=when), position(9, start=when)])["id"] == 9
    assert latest([position(3), position(5)])["id"] == 5


@pytest.mark.parametrize(
    ("roles_a", "roles_b", "side"),
    [
        (["initiator"], ["target"], "opposite"),
        (["target"], ["supporter"], "opposite"),
        (["initiator"], ["supporter"], "same"),
        (["participant"], ["target"], "same"),
        (["mediator"], ["host"], "same"),
        (["target"], ["target"], "same"),
    ],
)
def test_event_side(roles_a, roles_b, side):
    def roles(names):
        return [{"actor": "x", "role": name} for name in names]

    assert event_side(roles(roles_a), roles(roles_b)) == side
