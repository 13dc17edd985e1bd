"""The UI checks what it is given before using it: a shared link's unusable values are ignored
with a message, and the prediction form refuses values the model cannot take before any call
to model_api (AppTest, on seeded data)."""

from __future__ import annotations

import pytest

from .test_pages import no_exception

LINKS = [
    ("app_pages/overview.py", {"years": "abc-def"}, "years=abc-def", ("years", (2021, 2022))),
    ("app_pages/overview.py", {"years": "1900-2022"}, "years=1900-2022", ("years", (2021, 2022))),
    ("app_pages/hotspots.py", {"min": "-5"}, "min=-5", None),
    ("app_pages/hotspots.py", {"severity": "'; DROP TABLE x"}, "severity=", ("severity", "all")),
    ("app_pages/place.py", {"place": "commune:00000"}, "place=commune:00000", ("place", None)),
    ("app_pages/predict.py", {"where": "Nowhere"}, "where=Nowhere", ("where", "Hot spot")),
    (
        "app_pages/predict.py",
        {"where": "Point", "lat": "999", "lon": "2.35"},
        "lat=999",
        ("lat", None),
    ),
    ("app_pages/predict.py", {"where": "Point", "lat": "nan-ish"}, "lat=nan-ish", ("lat", None)),
]


@pytest.mark.reliability(
    kind="bad input",
    case="UI: a shared link with unusable query-parameter values (malformed numbers, years out"
    " of the data, codes not offered, an unknown choice, SQL text)",
    expect="the page renders without an exception, says which value it ignored, and uses the"
    " filter's default",
)
@pytest.mark.parametrize(("page", "params", "named", "default"), LINKS)
def test_a_shared_links_unusable_values_are_ignored_with_a_message(
    app, seeded_database_url, page, params, named, default
):
    test = app(seeded_database_url, page)
    for key, value in params.items():
        test.query_params[key] = value
    test.run()
    no_exception(test)
    assert not test.error
    assert any(named in w.value and "ignored" in w.value for w in test.warning), [
        w.value for w in test.warning
    ]
    if default is not None:
        key, value = default
        widget = next(
            w
            for kind in ("slider", "selectbox", "radio", "number_input")
            for w in getattr(test, kind)
            if w.key == key
        )
        assert widget.value == value


@pytest.mark.reliability(
    kind="bad input",
    case="UI: values outside the model's range sent to the prediction form (a vehicle count of"
    " a million, a negative age: what only a crafted request can send, the browser keeps to the"
    " bounds)",
    expect="the form's bounds are the feature's domain: the value is refused and the field keeps"
    " its in-range value, so nothing out of range is sent; the page goes on",
)
@pytest.mark.parametrize(("feature", "value"), [("vehicle_count", 1e6), ("youngest_age", -3.0)])
def test_the_prediction_form_refuses_out_of_range_values(
    app, dashboard_database_url, feature, value
):
    from gravity_model.features import feature as spec

    test = app(dashboard_database_url, "app_pages/predict.py", api_url="http://127.0.0.1:9")
    test.session_state["model_api_token"] = "any"
    test.session_state["model_api_user"] = "someone"
    test.radio(key="where").set_value("Point").run()
    test.number_input(key="lat").set_value(48.85).run()
    test.number_input(key="lon").set_value(2.35).run()
    no_exception(test)

    def field():
        return next(n for n in test.number_input if n.key.endswith(f"_{feature}"))

    low, high = spec(feature).domain
    assert (field().min, field().max) == (low, high)
    kept = field().value
    assert kept is None or low <= kept <= high
    field().set_value(value)
    next(b for b in test.button if b.label == "Predict").click().run()
    no_exception(test)
    assert field().value == kept
    # The request was built from in-range values and sent: only the absent API stops it.
    assert [e.value for e in test.error if "model_api is down" in e.value]


@pytest.mark.reliability(
    kind="bad input",
    case="UI: the login form sent with an empty username or password",
    expect="the page asks for both and calls nothing: no model_api error even with model_api"
    " absent; filled in, the login is sent",
)
@pytest.mark.parametrize(("username", "password"), [("", ""), ("someone", ""), ("  ", "pw")])
def test_an_incomplete_login_is_not_sent(app, seeded_database_url, username, password):
    test = app(seeded_database_url, "app_pages/predict.py", api_url="http://127.0.0.1:9")
    test.text_input(key="login_username").set_value(username)
    test.text_input(key="login_password").set_value(password)
    next(b for b in test.button if b.label == "Log in").click().run()
    no_exception(test)
    assert any("Enter a username and a password" in w.value for w in test.warning)
    assert not test.error

    test.text_input(key="login_username").set_value("someone")
    test.text_input(key="login_password").set_value("a-password")
    next(b for b in test.button if b.label == "Log in").click().run()
    assert any("does not answer" in e.value for e in test.error)
