"""What a list cut short makes of a coverage ratio (docs/reasoning.md "Lists cut short"),
case by case. Worked example for each row: a target listing 4 units of which 3 are covered.

- nothing cut: 3/4 is the share covered → exact;
- only a source cut: its unlisted units might cover the 4th → at least 3/4 ("lower");
- the target cut (4 listed + u ≥ 1 unlisted): the unlisted ones cannot be shown covered,
  so 3/(4+u) < 3/4 is shown → at most 3/4 ("upper"), whether or not a source is cut;
- 0 of a cut target is exactly 0 shown; 4 of 4 of a complete target cannot rise; with
  nothing listed there is no ratio.
"""

from __future__ import annotations

import pytest

from credgraph.reasoning.coverage import completeness, ratio_bound


@pytest.mark.parametrize(
    ("covered", "listed", "target_cut", "source_cut", "bound"),
    [
        (3, 4, False, False, None),
        (3, 4, False, True, "lower"),
        (3, 4, True, False, "upper"),
        (3, 4, True, True, "upper"),
        (0, 4, True, True, None),
        (0, 4, False, True, "lower"),
        (4, 4, False, True, None),
        (4, 4, True, False, "upper"),
        (0, 0, True, True, None),
    ],
)
def test_ratio_bound(
    covered: int, listed: int, target_cut: bool, source_cut: bool, bound: str | None
) -> None:
    assert ratio_bound(covered, listed, target_cut, source_cut) == bound


@pytest.mark.parametrize(
    ("open_units", "listed", "target_cut", "complete"),
    [
        (0, 4, False, True),  # every unit of a complete list covered
        (1, 4, False, False),
        (1, 4, True, False),  # a listed unit is open: not complete, cut or not
        (0, 4, True, None),  # all listed covered, the unlisted cannot be told
        (0, 0, False, False),  # nothing listed: nothing shows it covered
    ],
)
def test_completeness(
    open_units: int, listed: int, target_cut: bool, complete: bool | None
) -> None:
    assert completeness(open_units, listed, target_cut) is complete
