"""representation.live_verdict, the one rule behind every `current_verdict`: the latest
approved verdict, else the newest open proposal, else the newest other; never a blind
proposal closed as not chosen. Pure: rows only, no database."""

import pytest

from annotations.representation import VerdictRow, live_verdict


def row(pk: int, status: str, *, blind: bool = False) -> VerdictRow:
    return VerdictRow(annotation=1, id=pk, rating="false", status=status, is_blind=blind)


@pytest.mark.parametrize(
    ("verdicts", "live"),
    [
        ([], None),
        # A single review: the newest, whatever it is.
        ([row(1, "rejected"), row(2, "proposed")], 2),
        ([row(1, "rejected"), row(2, "rejected")], 2),
        ([row(1, "approved"), row(2, "set_aside")], 1),
        ([row(1, "set_aside"), row(2, "proposed")], 2),
        # A double review decided, the chosen proposal first or second.
        ([row(1, "approved", blind=True), row(2, "rejected", blind=True)], 1),
        ([row(1, "rejected", blind=True), row(2, "approved", blind=True)], 2),
        # The chief's final verdict, approved; then set aside by a text change.
        ([row(1, "rejected", blind=True), row(2, "rejected", blind=True), row(3, "approved")], 3),
        ([row(1, "set_aside", blind=True), row(2, "rejected", blind=True)], 1),
        # The final verdict rejected: both proposals open again, the newest named.
        ([row(1, "proposed", blind=True), row(2, "proposed", blind=True), row(3, "rejected")], 2),
        # Only a blind proposal not chosen: nothing stands.
        ([row(1, "rejected", blind=True)], None),
    ],
)
def test_the_live_verdict(verdicts, live):
    found = live_verdict(verdicts)
    assert (found.id if found else None) == live


def test_a_brief_row_without_the_blind_flag_counts_as_not_blind():
    brief = VerdictRow(1, 5, "false", "rejected")
    assert brief.is_blind is None
    assert live_verdict([brief]) is brief
