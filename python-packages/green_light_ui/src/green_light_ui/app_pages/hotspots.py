"""Hot spots page: the ranked cells and their map with filters, and one spot's details."""

from __future__ import annotations

import h3
import streamlit as st

from green_light_ui import charts, maps, session
from green_light_ui.dashboards.hotspots import (
    SEVERITIES,
    HotspotFilters,
    hotspot_details,
    hotspot_floor,
    rank_hotspots,
)
from green_light_ui.labels import DIMENSIONS, code_choices, label
from green_light_ui.links import shared
from green_light_ui.url_state import bound, many, one, reset_button

MAX_MINIMUM = 500

st.title("Hot spots")
loaded = session.require_data()
period = session.period_filter(loaded)
floor = session.load(hotspot_floor, what="the hot-spot settings")
sidebar = st.sidebar
min_accidents = bound(
    sidebar.number_input,
    "Minimum accidents",
    key="min",
    default=floor,
    parse=one(int),
    dump=str,
    valid=lambda value: floor <= value <= MAX_MINIMUM,
    min_value=floor,
    max_value=MAX_MINIMUM,
    step=1,
)
severity = bound(
    sidebar.selectbox,
    "Count",
    key="severity",
    default="all",
    parse=one(str),
    dump=str,
    valid=SEVERITIES.__contains__,
    options=list(SEVERITIES),
    format_func=SEVERITIES.__getitem__,
)
choices = {name: code_choices(name) for name in ("catr", "catu", "catv")}
road = bound(
    sidebar.multiselect,
    DIMENSIONS["catr"].title,
    key="road",
    default=[],
    parse=many(int),
    dump=lambda codes: ",".join(map(str, codes)),
    valid=lambda codes: set(codes) <= choices["catr"].keys(),
    options=list(choices["catr"]),
    format_func=choices["catr"].__getitem__,
)
users = bound(
    sidebar.multiselect,
    "Road users involved",
    key="users",
    default=[],
    parse=many(int),
    dump=lambda codes: ",".join(map(str, codes)),
    valid=lambda codes: set(codes) <= choices["catu"].keys(),
    options=list(choices["catu"]),
    format_func=choices["catu"].__getitem__,
)
vehicles = bound(
    sidebar.multiselect,
    "Vehicles involved",
    key="vehicles",
    default=[],
    parse=many(int),
    dump=lambda codes: ",".join(map(str, codes)),
    valid=lambda codes: set(codes) <= choices["catv"].keys(),
    options=list(choices["catv"]),
    format_func=choices["catv"].__getitem__,
)
reset_button(
    {
        "years": (loaded.first, loaded.last),
        "min": floor,
        "severity": "all",
        "road": [],
        "users": [],
        "vehicles": [],
        "spot": None,
    }
)
filters = HotspotFilters(
    period, int(min_accidents), str(severity), tuple(road), tuple(users), tuple(vehicles)
)
ranked = session.load(rank_hotspots, filters, what="the hot spots")
st.caption(
    f"H3 cells of about 300 m, {period.first}-{period.last}, ranked by severity-weighted count"
    " (fatal accident 10, hospitalised 5, other 1)."
)
asked = st.query_params.get("spot")
# A spot named by a link is shown even when it does not rank under the filters.
linked = asked if asked and h3.is_valid_cell(asked) else None
spots: list[str] = []
names: dict[str, str] = {}
if ranked.empty:
    st.info(
        "No place has that many accidents with these filters; lower the minimum or widen"
        " the period."
    )
    if linked is None:
        st.stop()
else:
    table = ranked[
        [
            "rank",
            "cell",
            "commune_name",
            "dep",
            "address",
            "counted",
            "accidents",
            "ksi_accidents",
            "ksi_share",
            "killed",
            "score",
            "trend_label",
            "road_category",
            "speed_limit",
            "light",
            "intersection",
            "weather",
            "vehicles",
            "road_users",
        ]
    ]
    clicked = st.pydeck_chart(
        maps.hotspots_map(ranked, st.session_state.get("spot")),
        on_select="rerun",
        selection_mode="single-object",
        key="hotspot_map",
        height=460,
    )
    session.table(table, key="hotspot_table")
    session.csv_download(table, "hotspots", key="csv_hotspots")
    picked = clicked.selection.objects.get("hotspots") if clicked else None
    if fresh := maps.new_pick(
        st.session_state, "hotspot_map", picked[0]["cell"] if picked else None
    ):
        st.session_state["spot"] = fresh
    spots = list(ranked["cell"])
    names = {
        c: f"#{r} {n or '?'} · {a or 'no address'}"
        for c, r, n, a in ranked[["cell", "rank", "commune_name", "address"]].itertuples(
            index=False
        )
    }
if linked and linked not in spots:
    spots.append(linked)
spot = bound(
    st.selectbox,
    "Spot details",
    key="spot",
    default=None,
    parse=one(str),
    dump=str,
    valid=lambda value: value is None or value in spots,
    options=spots,
    index=None,
    format_func=lambda c: names.get(c, f"cell {c}"),
    placeholder="Click a hexagon or pick a spot",
)
if spot:
    details = session.load(hotspot_details, spot, filters, what="the spot's accidents")
    st.subheader(names.get(spot, f"Cell {spot}"))
    st.caption(
        f"Its accidents in {period.first}-{period.last} on the roads and with the road users"
        " and vehicles filtered (the count filter only sets what the ranking counts)."
    )
    share = details.ksi_share
    left, middle, right = st.columns(3)
    left.metric("Accidents", f"{len(details.accidents):,}")
    middle.metric("KSI share", "n/a" if share is None else f"{share:.0%}")
    right.page_link(
        "app_pages/predict.py",
        label="Predict at this spot",
        icon=":material/online_prediction:",
        query_params={"where": "Hot spot", "spot": spot, **shared(st.query_params)},
    )
    if details.accidents.empty:
        st.info(
            f"No accident in this cell in {period.first}-{period.last} with these filters:"
            " widen the period or the filters."
        )
        st.stop()
    st.bar_chart(details.by_year.set_index("year"), stack=False)
    cols = st.columns(len(details.conditions))
    for column, (dimension, counts) in zip(cols, details.conditions.items(), strict=True):
        with column:
            st.markdown(f"**{DIMENSIONS[dimension].title}**")
            st.altair_chart(charts.bars(counts, "value"), width="stretch")
    listed = details.accidents.assign(
        gravity=[label("grav", g) for g in details.accidents["worst_grav"]]
    )[["accident_date", "hour", "gravity", "killed", "hospitalised", "lightly_injured", "adr"]]
    session.table(listed, key="spot_accidents")
    session.csv_download(listed, f"spot_{spot}", key="csv_spot")
