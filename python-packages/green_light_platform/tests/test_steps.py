"""The bring-up graph: ordered by `after`/`before`, typos and cycles refused, skips explained."""

from __future__ import annotations

import pytest

from green_light_platform.steps import StepGraphError, Task, ordered


def task(name: str, **edges: tuple[str, ...]) -> Task:
    return Task(name, lambda: None, **edges)


def names(steps) -> list[str]:
    return [step.name for step in steps]


def test_steps_come_after_what_they_need_whatever_the_declaration_order():
    steps = [
        task("serve", after=("train",)),
        task("train", after=("ingest",)),
        task("seed", before=("ingest",)),
        task("ingest", after=("migrate",)),
        task("migrate"),
    ]
    order = names(ordered(steps))
    assert order.index("migrate") < order.index("ingest") < order.index("train")
    assert order.index("seed") < order.index("ingest")
    assert order.index("train") < order.index("serve")


def test_independent_steps_keep_their_declaration_order():
    assert names(ordered([task("b"), task("a"), task("c")])) == ["b", "a", "c"]


def test_targets_bring_only_what_they_need():
    steps = [
        task("migrate"),
        task("seed", before=("ingest",)),
        task("ingest", after=("migrate",)),
        task("train", after=("ingest",)),
        task("ui", after=("migrate",)),
    ]
    assert names(ordered(steps, ["ingest"])) == ["migrate", "seed", "ingest"]


def test_an_unknown_name_is_refused_with_both_names():
    with pytest.raises(StepGraphError, match="'train' refers to unknown step 'injest'"):
        ordered([task("train", after=("injest",))])
    with pytest.raises(StepGraphError, match="no step is named 'deploy'"):
        ordered([task("train")], ["deploy"])


def test_a_cycle_is_refused():
    with pytest.raises(StepGraphError, match="cycle"):
        ordered([task("a", after=("b",)), task("b", after=("a",))])
