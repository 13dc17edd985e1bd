"""Predict page: a place, its history-prefilled features, a scenario, model_api's answer."""

from __future__ import annotations

import h3
import streamlit as st

from green_light_ui import session
from green_light_ui.dashboards.hotspots import HotspotFilters, hotspot_floor, rank_hotspots
from green_light_ui.dashboards.place import place_options
from green_light_ui.dashboards.prediction import (
    GROUPS,
    SCENARIO_GROUPS,
    PlaceChoice,
    factors,
    form_key,
    load_history,
    prefill,
    record,
)
from green_light_ui.feature_form import feature_input
from green_light_ui.model_api_client import ModelApiDown, ModelApiError
from green_light_ui.url_state import bound, one, pick, reset_button

st.title("Predict the gravity of an accident")
loaded = session.require_data()
period = session.period_filter(loaded)
reset_button(
    {
        "years": (loaded.first, loaded.last),
        "where": "Hot spot",
        "spot": None,
        "commune": None,
        "lat": None,
        "lon": None,
    }
)
WHERE = ("Hot spot", "Commune", "Point")
where = bound(
    st.radio,
    "Where",
    key="where",
    default=WHERE[0],
    parse=one(str),
    dump=str,
    valid=WHERE.__contains__,
    options=WHERE,
    horizontal=True,
)

place: PlaceChoice | None = None
if where == "Hot spot":
    floor = session.load(hotspot_floor, what="the hot-spot settings")
    ranked = session.load(rank_hotspots, HotspotFilters(period, floor), what="the hot spots")
    names = (
        {}
        if ranked.empty
        else {
            c: f"#{r} {n or '?'} · {a or 'no address'}"
            for c, r, n, a in ranked[["cell", "rank", "commune_name", "address"]].itertuples(
                index=False
            )
        }
    )
    if not names:
        st.info("No hot spot in this period: choose a commune or a point instead.")
    asked = st.query_params.get("spot")
    if asked and asked not in names and h3.is_valid_cell(asked):
        names[asked] = f"cell {asked}"
    spot = pick("Hot spot", "spot", names, "Pick a hot spot")
    if spot:
        place = PlaceChoice("cell", spot, names[spot])
elif where == "Commune":
    options = session.load(place_options, what="the communes")
    communes = options[options["kind"] == "commune"]
    # A current commune is its INSEE code; a former name or code, `<current>:<former>`.
    names = {
        code if former is None else f"{code}:{former}": text
        for code, former, text in communes[["code", "former_code", "label"]].itertuples(index=False)
    }
    choice = pick("Commune", "commune", names, "Type a current or former commune name")
    if choice:
        code = choice.split(":")[0]
        place = PlaceChoice("commune", code, names.get(code, names[choice]))
else:
    left, right = st.columns(2)
    coordinates = {}
    for column, name, title, limit in (
        (left, "lat", "Latitude", 90.0),
        (right, "lon", "Longitude", 180.0),
    ):
        coordinates[name] = bound(
            column.number_input,
            title,
            key=name,
            default=None,
            parse=one(float),
            dump=lambda value: f"{value:.6f}",
            valid=lambda value, limit=limit: value is None or -limit <= value <= limit,
            min_value=-limit,
            max_value=limit,
            format="%.5f",
            placeholder="Unknown",
        )
    lat, lon = coordinates["lat"], coordinates["lon"]
    if lat is not None and lon is not None:
        place = PlaceChoice.at_point(float(lat), float(lon))

if place is None:
    st.info("Choose a hot spot, a commune or a point to prefill the scenario from its history.")
    st.stop()

history = session.load(load_history, place, period, what="the place's history")
historic = history.ksi_share
st.caption(
    f"{place.title}: {history.total:,} accidents in {period.first}-{period.last}"
    + ("" if historic is None else f", {historic:.0%} of them KSI")
)
if history.accidents.empty:
    st.warning("No accident recorded here: the place's features start unknown; set them below.")
values = prefill(history, place)
key = form_key(place, values)

with st.form("scenario"):
    chosen: dict[str, object] = {}
    for group in SCENARIO_GROUPS:
        st.markdown(f"**{group}**")
        columns = st.columns(3)
        for i, name in enumerate(GROUPS[group]):
            with columns[i % 3]:
                chosen[name] = feature_input(name, values[name], f"{key}_{name}")
    with st.expander("Place and road (from the place's history)"):
        columns = st.columns(3)
        for i, name in enumerate(GROUPS["Place and road"]):
            with columns[i % 3]:
                chosen[name] = feature_input(name, values[name], f"{key}_{name}")
    submitted = st.form_submit_button("Predict", type="primary")

if submitted:
    token = st.session_state.get(session.TOKEN_KEY)
    if not token:
        st.warning("Log in to model_api (sidebar) to run a prediction.")
        st.stop()
    body = record(chosen)
    try:
        with st.spinner("Asking model_api…"):
            answer = session.model_api().explain(token, body)
    except ModelApiDown as error:
        st.error(f"model_api is down: {error}")
        st.stop()
    except ModelApiError as error:
        if error.status == 401:
            st.session_state.pop(session.TOKEN_KEY, None)
            st.warning("Your model_api session expired: log in again (sidebar).")
        elif error.status == 503:
            st.error(f"model_api has no model to serve yet: {error}")
        else:
            st.error(str(error))
        st.stop()
    left, right = st.columns(2)
    left.metric(
        "Probability of a KSI accident",
        f"{answer['probability']:.1%}",
        help="P(at least one person killed or hospitalised), by the champion model.",
    )
    right.metric(
        "Historic KSI share here",
        "n/a" if historic is None else f"{historic:.1%}",
        help="Share of this place's past accidents that were KSI.",
    )
    model = answer["model"]
    st.caption(
        f"Model {model['name']} version {model['version']} ({model['alias']}); threshold"
        f" {answer['threshold']:.2f}: "
        + ("**likely KSI**" if answer["predicted_class"] else "**not likely KSI**")
    )
    st.markdown("**Main factors**")
    table = factors(answer["contributions"])
    if table.empty:
        st.info("model_api named no main factor for this prediction.")
    else:
        st.bar_chart(table.set_index("factor")["effect"], horizontal=True)
        session.table(table, key="factors")
        session.csv_download(table, "factors", key="csv_factors")
