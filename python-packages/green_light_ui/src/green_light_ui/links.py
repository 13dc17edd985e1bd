"""Shareable links between pages: a view is its page and its query parameters."""

from __future__ import annotations

from urllib.parse import urlencode

PLACE_PAGE = "place"
HOTSPOTS_PAGE = "hotspots"
PREDICT_PAGE = "predict"


def place_id(kind: str, code: str, former: str | None = None) -> str:
    """The value of `?place=`: `commune:<INSEE>` or `dep:<code>` (a former code is kept so
    that the search box shows what was searched)."""
    return f"{kind}:{code}" + (f":{former}" if former else "")


def parse_place_id(value: str) -> tuple[str, str]:
    kind, code, *_ = value.split(":")
    if kind not in ("commune", "dep") or not code:
        raise ValueError(f"not a place: {value!r}")
    return kind, code


def place_link(kind: str, code: str) -> str:
    return f"{PLACE_PAGE}?{urlencode({'place': place_id(kind, code)})}"


def hotspot_link(cell: str) -> str:
    return f"{HOTSPOTS_PAGE}?{urlencode({'spot': cell})}"
