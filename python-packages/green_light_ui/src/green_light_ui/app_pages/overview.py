"""Overview page: France by departement, the national trend, top departements and communes."""

from __future__ import annotations

import streamlit as st

from green_light_ui import maps, session
from green_light_ui.dashboards.overview import HOSPITALISED_CAVEAT, load_overview, top_departements
from green_light_ui.links import place_link
from green_light_ui.url_state import reset_button

st.title("Road accidents in France")
loaded = session.require_data()
period = session.period_filter(loaded)
reset_button({"years": (loaded.first, loaded.last)})
overview = session.load(load_overview, period, what="the national figures")

st.subheader(f"KSI accidents per 100,000 inhabitants and year, {period.first}-{period.last}")
st.caption("KSI: at least one person killed or hospitalised. Populations: Etalab.")
st.pydeck_chart(maps.departements_map(overview.departements), height=520)
session.csv_download(
    overview.departements,
    "departement_rates",
    key="csv_departement_rates",
    label="Download every departement (CSV)",
)

st.subheader("National trend")
trend = overview.trend.set_index(overview.trend["year"].astype(str))  # labels, not 2,021
st.line_chart(trend[["accidents", "ksi_accidents", "killed", "hospitalised"]])
st.warning(f"**Hospitalised**: {HOSPITALISED_CAVEAT}", icon=":material/info:")
session.csv_download(overview.trend, "national_trend", key="csv_trend")

left, right = st.columns(2)
with left:
    st.subheader("Top departements (KSI rate)")
    departements = top_departements(overview)[
        ["dep", "name", "population", "accidents", "ksi_accidents", "killed", "ksi_per_100k"]
    ]
    session.table(
        departements.assign(
            open=[place_link("dep", d, st.query_params) for d in departements["dep"]]
        ),
        key="top_departements",
        open=st.column_config.LinkColumn("Dashboard", display_text="Open"),
    )
    session.csv_download(departements, "top_departements", key="csv_departements")
with right:
    st.subheader("Top communes (KSI accidents)")
    communes = overview.communes[
        [
            "commune",
            "name",
            "dep",
            "population",
            "accidents",
            "ksi_accidents",
            "killed",
            "ksi_per_100k",
        ]
    ]
    session.table(
        communes.assign(
            open=[place_link("commune", c, st.query_params) for c in communes["commune"]]
        ),
        key="top_communes",
        open=st.column_config.LinkColumn("Dashboard", display_text="Open"),
    )
    session.csv_download(communes, "top_communes", key="csv_communes")
