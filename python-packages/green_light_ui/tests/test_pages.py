"""Every page in Streamlit's AppTest on seeded data: it renders without exceptions, a changed
selector changes what is shown, a municipality's KPIs equal counts made straight from the
tables, a shared link opens the same view, an empty database says so plainly."""

from __future__ import annotations

import json
import re

import h3
import httpx
import psycopg
import pytest
from prometheus_client.parser import text_string_to_metric_families

from green_light_platform.db.engine import make_engine
from green_light_ui.cells import RESOLUTION
from green_light_ui.dashboards.overview import Period
from green_light_ui.dashboards.prediction import PlaceChoice, load_history, prefill

PAGES = (
    "app_pages/overview.py",
    "app_pages/place.py",
    "app_pages/hotspots.py",
    "app_pages/predict.py",
    "app_pages/model.py",
)
MODEL_PAGE = "app_pages/model.py"


def scalar(url: str, query: str, *params):
    with psycopg.connect(url) as conn:
        return conn.execute(query, params).fetchone()[0]


def no_exception(test) -> None:
    assert not test.exception, [e.message for e in test.exception]


def table(test, *columns: str):
    """The first table shown with these columns (tables are not widgets: they have no key)."""
    for shown in test.dataframe:
        if set(columns) <= set(shown.value.columns):
            return shown.value
    raise AssertionError(f"no table with the columns {columns}")


def column_config(test, *columns: str) -> dict[str, dict]:
    """The column configuration (titles and formats) of the first table with these columns."""
    shown = next(d for d in test.dataframe if set(columns) <= set(d.value.columns))
    return json.loads(shown.proto.columns or "{}")


def untitled(test) -> list[list[str]]:
    """Per table, the machine-named columns it shows without an English title."""
    missing = []
    for shown in test.dataframe:
        config = json.loads(shown.proto.columns or "{}")
        raw = [
            name
            for name in shown.value.columns
            if re.fullmatch(r"[a-z0-9_]+", str(name)) and not config.get(name, {}).get("label")
        ]
        if raw:
            missing.append(raw)
    return missing


def predictions_served(api_url: str) -> dict[str, float]:
    """model_api's count of records predicted so far, by endpoint (from its /metrics)."""
    served: dict[str, float] = {}
    for family in text_string_to_metric_families(httpx.get(f"{api_url}/metrics").text):
        for sample in family.samples:
            if sample.name == "gls_predictions_total":
                endpoint = sample.labels["endpoint"]
                served[endpoint] = served.get(endpoint, 0) + sample.value
    return served


def metrics(test) -> dict[str, str]:
    return {m.label: m.value for m in test.metric}


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_on_seeded_data(app, seeded_database_url, page, request):
    # The model page reads MLflow too: the bring-up's registry, trained on the same data.
    registry = {}
    if page == MODEL_PAGE:
        registry["tracking_uri"] = request.getfixturevalue("trained_registry").tracking_uri
    test = app(seeded_database_url, page, **registry)
    no_exception(test)
    assert test.title, "the page has a title"
    assert not test.error


@pytest.mark.parametrize("page", PAGES)
def test_an_empty_database_is_said_plainly(app, database_url, page):
    test = app(database_url, page)
    no_exception(test)
    assert any("No accident data is loaded yet" in info.value for info in test.info)


def test_the_overview_follows_its_period(app, seeded_database_url):
    test = app(seeded_database_url)
    no_exception(test)
    both = table(test, "commune", "ksi_per_100k")["accidents"].sum()
    test.slider(key="years").set_value((2022, 2022)).run()
    no_exception(test)
    assert test.query_params["years"] == "2022-2022"
    only_2022 = table(test, "commune", "ksi_per_100k")["accidents"].sum()
    links = [*table(test, "commune", "open")["open"], *table(test, "dep", "open")["open"]]
    assert links and all(link.endswith("&years=2022-2022") for link in links)
    assert only_2022 < both
    assert any("Hospitalised" in w.value for w in test.warning)  # the 2018 caveat
    assert "csv_departement_rates" in {button.key for button in test.download_button}
    test.button(key="reset").click().run()
    assert test.slider(key="years").value == (2021, 2022)
    assert "years" not in test.query_params


def test_a_shared_link_opens_a_municipality_with_its_raw_counts(app, seeded_database_url):
    commune = scalar(
        seeded_database_url,
        "SELECT com_current FROM accidents WHERE com_current IS NOT NULL"
        " GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1",
    )
    test = app(seeded_database_url, "app_pages/place.py")
    assert any("Type a commune" in info.value for info in test.info)
    test.query_params["place"] = f"commune:{commune}"
    test.query_params["years"] = "2022-2022"
    test.run()
    no_exception(test)

    def raw(grav: int | None, year_from: int) -> int:
        if grav is None:
            return scalar(
                seeded_database_url,
                "SELECT count(*) FROM accidents WHERE com_current = %s AND year >= %s",
                commune,
                year_from,
            )
        return scalar(
            seeded_database_url,
            "SELECT count(*) FROM persons u JOIN accidents a USING (num_acc, year)"
            " WHERE a.com_current = %s AND u.grav = %s AND a.year >= %s",
            commune,
            grav,
            year_from,
        )

    shown = metrics(test)
    assert shown["Accidents"] == f"{raw(None, 2022):,}"
    assert shown["Killed"] == f"{raw(2, 2022):,}"
    assert shown["Hospitalised"] == f"{raw(3, 2022):,}"
    assert shown["Lightly injured"] == f"{raw(4, 2022):,}"
    test.slider(key="years").set_value((2021, 2022)).run()
    assert metrics(test)["Accidents"] == f"{raw(None, 2021):,}"
    assert test.selectbox(key="place").value == f"commune:{commune}"
    assert table(test, "area", "accidents_per_10k")["area"].tolist()[-1] == "France"


def test_a_crash_shows_its_story(app, seeded_database_url):
    commune, num_acc, year = None, None, None
    with psycopg.connect(seeded_database_url) as conn:
        commune, num_acc, year = conn.execute(
            "SELECT com_current, num_acc, year FROM accidents"
            " WHERE com_current IS NOT NULL AND lat IS NOT NULL ORDER BY num_acc LIMIT 1"
        ).fetchone()
        persons = conn.execute(
            "SELECT count(*) FROM persons WHERE num_acc = %s AND year = %s", (num_acc, year)
        ).fetchone()[0]
    test = app(seeded_database_url, "app_pages/place.py")
    test.query_params["place"] = f"commune:{commune}"
    test.run()
    test.selectbox(key="crash").set_value(f"{num_acc}:{year}").run()
    no_exception(test)
    assert len(table(test, "Road user", "age")) == persons
    downloads = {button.key for button in test.download_button}
    assert {"csv_crash_vehicles", "csv_crash_persons"} <= downloads


def test_tables_show_english_titles_and_formatted_numbers(
    app, seeded_database_url, dashboard_database_url
):
    overview = app(seeded_database_url)
    assert untitled(overview) == []
    assert column_config(overview, "commune", "ksi_per_100k")["ksi_per_100k"]["type_config"] == {
        "type": "number",
        "format": "%.1f",
    }

    commune, num_acc, year = (
        psycopg.connect(seeded_database_url)
        .execute(
            "SELECT com_current, num_acc, year FROM accidents"
            " WHERE com_current IS NOT NULL AND lat IS NOT NULL ORDER BY num_acc LIMIT 1"
        )
        .fetchone()
    )
    place = app(seeded_database_url, "app_pages/place.py")
    place.query_params["place"] = f"commune:{commune}"
    place.run()
    place.selectbox(key="crash").set_value(f"{num_acc}:{year}").run()
    no_exception(place)
    assert untitled(place) == []
    assert column_config(place, "area", "accidents_per_10k")["accidents_per_10k"]["label"] == (
        "Accidents per 10,000 inhabitants and year"
    )

    spots = app(dashboard_database_url, "app_pages/hotspots.py")
    spots.selectbox(key="spot").set_value(table(spots, "rank", "cell")["cell"].iloc[0]).run()
    no_exception(spots)
    assert untitled(spots) == []
    shown = column_config(spots, "rank", "trend_label")
    assert (shown["counted"]["label"], shown["trend_label"]["label"]) == (
        "Accidents counted",
        "Trend",
    )
    assert shown["ksi_share"]["type_config"]["format"] == "percent"


def test_a_departement_is_a_place_too(app, seeded_database_url):
    dep = scalar(
        seeded_database_url,
        "SELECT dep FROM accidents GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1",
    )
    test = app(seeded_database_url, "app_pages/place.py")
    test.selectbox(key="place").set_value(f"dep:{dep}").run()
    no_exception(test)
    accidents = scalar(seeded_database_url, "SELECT count(*) FROM accidents WHERE dep = %s", dep)
    assert metrics(test)["Accidents"] == f"{accidents:,}"
    assert test.query_params["place"] == f"dep:{dep}"


def test_the_hot_spots_page_ranks_filters_and_details(app, dashboard_database_url):
    test = app(dashboard_database_url, "app_pages/hotspots.py")
    no_exception(test)
    ranked = table(test, "rank", "cell", "trend_label")
    assert len(ranked) >= 3
    assert ranked["weather"].notna().all(), "each spot's usual weather is shown"
    test.number_input(key="min").set_value(int(ranked["counted"].max())).run()
    fewer = table(test, "rank", "cell", "trend_label")
    assert 1 <= len(fewer) < len(ranked)
    assert test.query_params["min"] == str(int(ranked["counted"].max()))

    spot = fewer.iloc[0]["cell"]
    test.selectbox(key="spot").set_value(spot).run()
    no_exception(test)
    located = scalar(
        dashboard_database_url,
        "SELECT array_agg(ARRAY[lat, lon]) FROM accidents WHERE lat IS NOT NULL",
    )
    inside = sum(h3.latlng_to_cell(lat, lon, RESOLUTION) == spot for lat, lon in located)
    assert metrics(test)["Accidents"] == f"{inside:,}"
    assert len(table(test, "accident_date", "gravity")) == inside


def test_a_spots_details_follow_the_pages_filters(app, dashboard_database_url):
    cell, road, expected = (
        psycopg.connect(dashboard_database_url)
        .execute(
            "WITH per AS (SELECT c.cell, f.catr, count(*) AS n,"
            " sum(count(*)) OVER (PARTITION BY c.cell) AS total"
            " FROM analytics.accident_cells c JOIN analytics.accident_facts f USING (num_acc, year)"
            " WHERE f.year = 2022 AND f.catr IS NOT NULL GROUP BY 1, 2)"
            " SELECT cell, catr, n FROM per WHERE n < total ORDER BY total DESC, cell, catr LIMIT 1"
        )
        .fetchone()
    )
    spot = h3.int_to_str(cell)
    test = app(dashboard_database_url, "app_pages/hotspots.py")
    test.query_params.update({"years": "2022-2022", "road": str(road), "spot": spot})
    test.run()
    no_exception(test)
    assert test.selectbox(key="spot").value == spot
    assert metrics(test)["Accidents"] == f"{expected:,}", "only the filtered road's accidents"
    predict = next(p for p in test.get("page_link") if p.proto.label == "Predict at this spot")
    assert "years=2022-2022" in predict.proto.query_string


def test_a_linked_spot_without_accidents_says_so(app, dashboard_database_url):
    empty = h3.latlng_to_cell(0.0, 0.0, RESOLUTION)  # the Gulf of Guinea
    test = app(dashboard_database_url, "app_pages/hotspots.py")
    test.query_params["spot"] = empty
    test.run()
    no_exception(test)
    assert any("No accident in this cell" in i.value for i in test.info)
    assert not [t for t in test.dataframe if "accident_date" in t.value.columns]


def test_predict_prefills_from_the_spot_and_needs_a_login(app, dashboard_database_url):
    test = app(dashboard_database_url, "app_pages/predict.py")
    no_exception(test)
    spot = test.selectbox(key="spot")
    cell = scalar(
        dashboard_database_url,
        "SELECT cell FROM analytics.cell_year GROUP BY cell ORDER BY sum(accidents) DESC,"
        " cell LIMIT 1",
    )
    spot.set_value(h3.int_to_str(cell)).run()
    no_exception(test)
    weather = next(s for s in test.selectbox if s.label == "Weather")
    assert weather.value is not None, "prefilled from the spot's history"
    assert all(not s.label.isdigit() for s in test.selectbox)
    next(b for b in test.button if b.label == "Predict").click().run()
    assert any("Log in" in w.value for w in test.warning)


def test_predicts_form_shows_the_prefill_of_a_new_period(app, dashboard_database_url):
    commune = scalar(
        dashboard_database_url,
        "SELECT com_current FROM accidents WHERE com_current IS NOT NULL"
        " GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1",
    )
    place = PlaceChoice("commune", commune, commune)
    engine = make_engine(dashboard_database_url)
    expected = {
        year: prefill(load_history(engine, place, Period(year, year)), place)["lat"]
        for year in (2021, 2022)
    }
    engine.dispose()
    assert expected[2021] != expected[2022]

    test = app(dashboard_database_url, "app_pages/predict.py")
    test.radio(key="where").set_value("Commune").run()
    test.selectbox(key="commune").set_value(commune).run()

    def latitude() -> float:
        return next(n for n in test.number_input if n.key.endswith("_lat")).value

    for year in (2021, 2022):
        test.slider(key="years").set_value((year, year)).run()
        no_exception(test)
        assert latitude() == pytest.approx(expected[year])


def test_predict_says_plainly_when_model_api_is_down(app, dashboard_database_url):
    test = app(dashboard_database_url, "app_pages/predict.py", api_url="http://127.0.0.1:9")
    test.session_state["model_api_token"] = "any"
    test.session_state["model_api_user"] = "someone"
    test.radio(key="where").set_value("Point").run()
    test.number_input(key="lat").set_value(48.85).run()
    test.number_input(key="lon").set_value(2.35).run()
    no_exception(test)
    next(b for b in test.button if b.label == "Predict").click().run()
    assert any("model_api is down" in e.value for e in test.error)


@pytest.mark.slow
def test_predict_shows_the_probability_beside_the_historic_share(
    app, dashboard_database_url, model_api_url
):
    from .conftest import ADMIN

    test = app(dashboard_database_url, "app_pages/predict.py", api_url=model_api_url)
    test.text_input(key="login_username").set_value(ADMIN[0])
    test.text_input(key="login_password").set_value(ADMIN[1])
    next(b for b in test.button if b.label == "Log in").click().run()
    no_exception(test)
    assert test.session_state["model_api_token"]
    test.radio(key="where").set_value("Commune").run()
    commune = scalar(
        dashboard_database_url,
        "SELECT com_current FROM accidents WHERE com_current IS NOT NULL"
        " GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1",
    )
    test.selectbox(key="commune").set_value(commune).run()
    before = predictions_served(model_api_url)
    next(b for b in test.button if b.label == "Predict").click().run()
    no_exception(test)
    after = predictions_served(model_api_url)
    # One call (/explain answers the probability too): one prediction for the user's rate.
    assert sum(after.values()) - sum(before.values()) == 1
    assert after.get("explain", 0) - before.get("explain", 0) == 1
    shown = metrics(test)
    probability = float(shown["Probability of a KSI accident"].rstrip("%")) / 100
    assert 0 < probability < 1
    ksi, total = (
        scalar(dashboard_database_url, query, commune)
        for query in (
            "SELECT count(*) FROM analytics.accident_facts WHERE commune = %s AND ksi",
            "SELECT count(*) FROM analytics.accident_facts WHERE commune = %s",
        )
    )
    assert shown["Historic KSI share here"] == f"{ksi / total:.1%}"
    assert len(table(test, "factor", "direction")) >= 1
    assert "csv_factors" in {button.key for button in test.download_button}


def former_commune(url: str) -> tuple[str, str, str, str]:
    """The former code and name, and the current code and name, of the merged commune with
    the most accidents."""
    return (
        psycopg.connect(url)
        .execute(
            "SELECT n.former_code, n.name, c.code, c.name FROM commune_former_names n"
            " JOIN communes c ON c.code = n.current_code"
            " JOIN analytics.commune_year y ON y.commune = c.code"
            " WHERE n.name <> c.name GROUP BY 1, 2, 3, 4"
            " ORDER BY sum(y.accidents) DESC, 1 LIMIT 1"
        )
        .fetchone()
    )


def test_predict_finds_a_commune_by_its_former_name(app, seeded_database_url):
    former_code, former_name, code, name = former_commune(seeded_database_url)
    test = app(seeded_database_url, "app_pages/predict.py")
    test.radio(key="where").set_value("Commune").run()
    box = test.selectbox(key="commune")
    assert any(label.startswith(f"{former_name} (") for label in box.options)
    box.set_value(f"{code}:{former_code}").run()
    no_exception(test)
    accidents = scalar(
        seeded_database_url, "SELECT count(*) FROM accidents WHERE com_current = %s", code
    )
    assert any(
        c.value.startswith(name) and f"{accidents:,} accidents" in c.value for c in test.caption
    ), [c.value for c in test.caption]


def test_a_commune_is_found_by_its_former_name(app, seeded_database_url):
    former_code, former_name, code, name = former_commune(seeded_database_url)
    test = app(seeded_database_url, "app_pages/place.py")
    box = test.selectbox(key="place")
    # The search box matches what is typed against these labels, in the browser.
    found = [label for label in box.options if label.startswith(f"{former_name} (")]
    assert found, f"no option for the former name {former_name!r}"
    assert all(name in label and code in label for label in found)
    box.set_value(f"commune:{code}:{former_code}").run()
    no_exception(test)
    assert test.header[0].value.startswith(name)
    accidents = scalar(
        seeded_database_url, "SELECT count(*) FROM accidents WHERE com_current = %s", code
    )
    assert metrics(test)["Accidents"] == f"{accidents:,}"


@pytest.mark.parametrize("page", [*PAGES, "app.py"])
def test_no_page_holds_a_bare_string_streamlit_would_print(page):
    """Streamlit's "magic" writes any bare expression of a page to the page: a string meant
    as a note to readers would show up under the title."""
    import ast
    from pathlib import Path

    import green_light_ui

    tree = ast.parse((Path(green_light_ui.__file__).parent / page).read_text(encoding="utf-8"))
    bare = [
        node.lineno
        for node in tree.body[1:]  # the module docstring is not shown
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
    ]
    assert bare == [], f"{page}: bare strings at lines {bare}"
