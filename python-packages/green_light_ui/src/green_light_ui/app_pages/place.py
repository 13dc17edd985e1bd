"""Municipality / departement page: KPIs and comparisons, when, conditions, who, where."""

from __future__ import annotations

import streamlit as st

from green_light_ui import charts, maps, session
from green_light_ui.dashboards.place import find_place, load_crash, load_place, place_options
from green_light_ui.labels import DIMENSIONS, label, time_of_day
from green_light_ui.links import hotspot_link, parse_place_id, place_id
from green_light_ui.url_state import pick, reset_button

st.title("Municipality / departement")
loaded = session.require_data()
options = session.load(place_options, what="the communes and departements")
labels = {
    place_id(kind, code, former): text
    for kind, code, former, text in options[["kind", "code", "former_code", "label"]].itertuples(
        index=False
    )
}
choice = pick(
    "Commune or departement",
    "place",
    labels,
    "Type a current or former name or INSEE code, a departement…",
)
period = session.period_filter(loaded)
reset_button({"years": (loaded.first, loaded.last), "place": None})
if choice is None:
    st.info("Type a commune or departement name above to see its dashboard.")
    st.stop()

place = session.load(find_place, *parse_place_id(choice), what="the place")
if place is None:
    st.warning(f"No commune or departement {choice!r} in the reference.")
    st.stop()
view = session.load(load_place, place, period, what=f"the figures of {place.name}")
st.header(place.title)
st.caption(
    f"{period.first}-{period.last} · population {place.population:,}"
    if place.population
    else f"{period.first}-{period.last} · population unknown"
)
if not int(view.current["accidents"]):
    st.info(f"No accident recorded in {place.name} in {period.first}-{period.last}.")

previous = view.previous
compared = loaded.first is not None and period.first - period.years >= loaded.first
columns = st.columns(5)
for column, (name, title) in zip(
    columns,
    {
        "accidents": "Accidents",
        "killed": "Killed",
        "hospitalised": "Hospitalised",
        "lightly_injured": "Lightly injured",
        "ksi_accidents": "KSI accidents",
    }.items(),
    strict=True,
):
    column.metric(
        title,
        f"{int(view.current[name]):,}",
        delta=(
            f"{int(view.current[name]) - int(previous[name]):+,} vs previous {period.years} y"
            if compared
            else None
        ),
        delta_color="inverse",
    )

st.subheader("Compared with its departement and France")
st.caption("Rates per 10,000 inhabitants and per year.")
session.table(view.comparison, key="comparison")
session.csv_download(view.comparison, "comparison", key="csv_comparison")

st.subheader("By year")
st.bar_chart(view.by_year.set_index("year")[["accidents", "ksi_accidents"]], stack=False)
session.table(view.by_year, key="by_year")
session.csv_download(view.by_year, "by_year", key="csv_by_year")

when, conditions, people = st.tabs(["When", "Conditions", "Who"])
with when:
    if "month" in view.breakdowns:
        st.markdown("**By month**")
        months = view.breakdowns["month"]
        st.altair_chart(charts.bars(months, "Month"), width="stretch")
        session.csv_download(months, "by_month", key="csv_month")
    if not view.heatmap.empty:
        st.markdown("**Weekday x hour**")
        st.altair_chart(charts.weekday_hour(view.heatmap), width="stretch")
        session.csv_download(view.heatmap, "weekday_hour", key="csv_heatmap")
with conditions:
    for dimension in ("lum", "atm", "catr", "agg", "inter"):
        if dimension in view.breakdowns:
            table = view.breakdowns[dimension]
            title = DIMENSIONS[dimension].title
            st.markdown(f"**{title}**")
            st.altair_chart(charts.bars(table, title), width="stretch")
            session.table(table, key=f"table_{dimension}")
            session.csv_download(table, f"by_{dimension}", key=f"csv_{dimension}")
with people:
    for dimension in ("catu", "catv", "age_group"):
        if dimension in view.people:
            table = view.people[dimension]
            title = DIMENSIONS[dimension].title
            st.markdown(f"**{title}** (persons involved)")
            st.altair_chart(charts.bars(table, title, "persons"), width="stretch")
            session.table(table, key=f"table_{dimension}")
            session.csv_download(table, f"by_{dimension}", key=f"csv_{dimension}")

st.subheader("Map of the accidents")
accidents = view.accidents
if accidents.empty:
    st.info("No located accident to draw.")
else:
    st.caption(
        f"{maps.legend()} — {len(accidents):,} accidents drawn (gravest and latest first);"
        " click one."
    )
    clicked = st.pydeck_chart(
        maps.accidents_map(accidents),
        on_select="rerun",
        selection_mode="single-object",
        key="accident_map",
        height=480,
    )
    picked = clicked.selection.objects.get("accidents") if clicked else None
    crash_ids = [f"{n}:{y}" for n, y in zip(accidents["num_acc"], accidents["year"], strict=True)]
    clicked_id = f"{picked[0]['num_acc']}:{picked[0]['year']}" if picked else None
    if fresh := maps.new_pick(st.session_state, "accident_map", clicked_id):
        st.session_state["crash"] = fresh
    crash_labels = {
        i: f"{d} {time_of_day(h)} · {label('grav', g)} · {a or 'no address'}"
        for i, d, h, g, a in zip(
            crash_ids,
            accidents["accident_date"],
            accidents["hour"],
            accidents["worst_grav"],
            accidents["adr"],
            strict=True,
        )
    }
    crash = st.selectbox(
        "Crash details",
        crash_ids,
        index=None,
        format_func=crash_labels.__getitem__,
        key="crash",
        placeholder="Click an accident on the map or pick one here",
    )
    if crash:
        num_acc, year = (int(part) for part in crash.split(":"))
        story = session.load(load_crash, num_acc, year, what="the accident")
        if story is None:
            st.warning("That accident is no longer in the database.")
        else:
            a = story.accident
            st.markdown(
                f"**{a['accident_date']}, {time_of_day(a['hour'], a['minute'])}** · "
                f"{a['commune_name'] or a['commune']} · {a['adr'] or 'no address'}  \n"
                f"{label('lum', a['lum'])} · {label('atm', a['atm'])} · "
                f"{label('catr', a['catr'])} · {label('inter', a['inter'])} · "
                f"collision: {label('col', a['col'])}  \n"
                f"**{label('grav', a['worst_grav'])}**: {a['killed']} killed, "
                f"{a['hospitalised']} hospitalised, {a['lightly_injured']} lightly injured"
            )
            named = f"crash_{num_acc}_{year}"
            st.markdown("**Vehicles**")
            session.table(story.vehicles, key="crash_vehicles")
            session.csv_download(story.vehicles, f"{named}_vehicles", key="csv_crash_vehicles")
            st.markdown("**Persons**")
            session.table(story.persons, key="crash_persons")
            session.csv_download(story.persons, f"{named}_persons", key="csv_crash_persons")

st.subheader("Worst places")
worst = view.worst_places
if worst.empty:
    st.info("No located accident in this period.")
else:
    session.table(
        worst.assign(open=[hotspot_link(c, st.query_params) for c in worst["cell"]]),
        key="worst_places",
        open=st.column_config.LinkColumn("Hot spot", display_text="Open"),
    )
    session.csv_download(worst, "worst_places", key="csv_worst")
