"""Shareable links between pages: a view is its page and its query parameters."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlencode

if TYPE_CHECKING:
    from collections.abc import Mapping

PLACE_PAGE = "place"
HOTSPOTS_PAGE = "hotspots"
PREDICT_PAGE = "predict"
SHARED = ("years",)
"""The query parameters every page reads (the period), which links between pages carry."""


def shared(current: Mapping[str, str]) -> dict[str, str]:
    """The shared parameters of the current view (`st.query_params`), for a link to carry."""
    return {name: current[name] for name in SHARED if name in current}


def place_id(kind: str, code: str, former: str | None = None) -> str:
    """The value of `?place=`: `commune:<INSEE>` or `dep:<code>` (a former code is kept so
    that the search box shows what was searched)."""
    return f"{kind}:{code}" + (f":{former}" if former else "")


def parse_place_id(value: str) -> tuple[str, str]:
    kind, code, *_ = value.split(":")
    if kind not in ("commune", "dep") or not code:
        raise ValueError(f"not a place: {value!r}")
    return kind, code


def place_link(kind: str, code: str, current: Mapping[str, str]) -> str:
    """A place's dashboard, over the current view's period."""
    return f"{PLACE_PAGE}?{urlencode({'place': place_id(kind, code)} | shared(current))}"


def hotspot_link(cell: str, current: Mapping[str, str]) -> str:
    """A hot spot's details, over the current view's period."""
    return f"{HOTSPOTS_PAGE}?{urlencode({'spot': cell} | shared(current))}"
