"""Model and pipelines page: the champion and its history from MLflow, its calibration, the
latest ingestion, the data-quality profile per year and how fresh the data is."""

from __future__ import annotations

import streamlit as st

from gravity_model.evaluation import METRIC_LABELS
from green_light_ui import charts, session
from green_light_ui.dashboards.data_health import data_health
from green_light_ui.dashboards.model_history import METRICS
from green_light_ui.labels import age, moment, score
from green_light_ui.url_state import bound, one, reset_button

st.title("Model and pipelines")

st.header("Gravity model")
history = session.load_model_history()
if history is not None:
    champion = history.champion_row
    if champion is None:
        st.info(
            "No champion model is registered in MLflow yet, so there is no model to describe."
            " Train one with `gls train` (the first training becomes the champion)."
        )
    else:
        st.subheader(f"Champion: version {champion['version']}")
        st.caption(
            f"Registered {moment(champion['registered'])} · trained on {champion['data_years']}"
            f" · holdout: {champion['holdout']} · decision threshold"
            f" {score(champion['threshold'])} · {champion['decision']}"
        )
        columns = st.columns(len(METRICS) + 1)
        columns[0].metric("Champion version", champion["version"])
        for column, metric in zip(columns[1:], METRICS, strict=True):
            column.metric(METRIC_LABELS[metric], score(champion[metric]))

        st.subheader("Calibration on the holdout")
        if history.calibration is None:
            st.info(
                f"Version {champion['version']}'s training logged no calibration points"
                " (versions trained before they were logged); retrain to see its curve."
            )
        else:
            st.caption(
                f"{history.calibration_split}: observed KSI rate against the mean predicted"
                " probability, by decile of the prediction; the dotted line is a perfectly"
                " calibrated model."
            )
            st.altair_chart(charts.calibration(history.calibration), width="stretch")
            session.csv_download(history.calibration, "calibration", key="csv_calibration")

    if not history.versions.empty:
        st.subheader("Every registered version")
        shown = history.versions.drop(columns=["run_id"])
        session.table(shown, key="versions")
        session.csv_download(shown, "model_versions", key="csv_versions")
        if len(shown) > 1:
            st.line_chart(
                shown.assign(version=shown["version"].astype(int)).set_index("version")[
                    ["roc_auc", "pr_auc"]
                ]
            )

st.header("Data and ingestion")
health = session.load(data_health, what="the file registry")
fresh = health.freshness
if health.ingested:
    latest = health.latest
    assert latest is not None
    outcome = (
        f"Latest ingestion ({moment(latest['updated_at'])}): year {latest['year']}"
        f" {latest['status']}"
    )
    if latest["status"] == "loaded":
        st.success(f"{outcome}, {int(latest['accidents'] or 0):,} accidents.")
    else:
        st.error(f"{outcome}: {latest['reason'] or 'no reason recorded'}")
    columns = st.columns(4)
    columns[0].metric("Latest year loaded", fresh.latest_year or "none")
    columns[1].metric("Years loaded", fresh.loaded_years)
    columns[2].metric("Years failed", fresh.failed_years)
    columns[3].metric(
        "Aggregates refreshed", age(fresh.aggregates_at), help=moment(fresh.aggregates_at)
    )
    st.caption(
        f"Year {fresh.latest_year} loaded {moment(fresh.latest_loaded_at)}; last ingestion"
        f" {moment(fresh.last_ingestion)}."
    )
    st.subheader("Last ingestion of each year")
    session.table(health.outcomes, key="outcomes")
    session.csv_download(health.outcomes, "ingestions", key="csv_outcomes")
session.require_data()

st.subheader("Data quality per year")
years = health.quality_years()
if not years:
    st.info("The loaded files have no data-quality profile in the registry.")
    st.stop()
reset_button({"year": years[0]})
st.caption(
    'Share of the cells of each table that the file leaves "not given" (a marker, or empty)'
    " and that hold no code of their column (unknown: NULL in the tables, kept as written)."
)
shares = health.shares_by_year().pivot(index="year", columns="table_name", values="not_given_share")
st.line_chart(shares.set_axis(shares.index.astype(str)))  # years as labels, not 2,021
year = bound(
    st.selectbox,
    "Year profiled",
    key="year",
    default=years[0],
    parse=one(int),
    dump=str,
    valid=years.__contains__,
    options=years,
)
profile = health.profile(year)
session.table(profile, key="profile")
session.csv_download(profile, f"data_quality_{year}", key="csv_profile")
