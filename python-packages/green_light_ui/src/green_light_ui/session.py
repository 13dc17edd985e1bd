"""What every page shares in Streamlit: settings, the read-only engine, cached loaders, the
period filter with its reset, the empty-database notice and the login to model_api.

The logic lives in `green_light_ui.dashboards`; this module only binds it to Streamlit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

import streamlit as st
from pydantic import ValidationError
from sqlalchemy.exc import SQLAlchemyError

from green_light_ui.dashboards.model_history import MlflowUnreachable, ModelHistory, model_history
from green_light_ui.dashboards.overview import DataRange, Period, data_range
from green_light_ui.database import reader_engine
from green_light_ui.labels import COLUMNS
from green_light_ui.model_api_client import ModelApi, ModelApiDown, ModelApiError
from green_light_ui.settings import UiSettings
from green_light_ui.url_state import bound, year_range

if TYPE_CHECKING:
    from collections.abc import Callable

    import pandas as pd
    from sqlalchemy import Engine

T = TypeVar("T")

TOKEN_KEY = "model_api_token"  # noqa: S105 - a session-state key, not a secret
USERNAME_KEY = "model_api_user"
CACHE_SECONDS = 300
"""How long a query's answer is reused: the aggregates change once per ingestion."""
REGISTRY_CACHE_SECONDS = 60
"""How long the model registry's answer is reused (a training may promote a version)."""


@st.cache_resource
def settings() -> UiSettings:
    return UiSettings()


@st.cache_resource
def engine() -> Engine:
    return reader_engine(settings().database)


def model_api() -> ModelApi:
    return ModelApi(settings().model_api.url)


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def _load(name: str, _loader: Callable[..., Any], *args: Any) -> Any:
    del name  # only there to key the cache
    return _loader(engine(), *args)


def load(loader: Callable[..., T], *args: Any, what: str) -> T:
    """`loader(engine, *args)`, cached for a few minutes, with a spinner saying `what`; a
    database fault stops the page with what went wrong."""
    try:
        with st.spinner(f"Loading {what}…"):
            return _load(f"{loader.__module__}.{loader.__qualname__}", loader, *args)
    except SQLAlchemyError as error:
        st.error(
            f"The database did not answer while loading {what}: "
            f"{type(error.orig or error).__name__}: {str(error.orig or error).strip()}"
        )
        st.stop()


@st.cache_data(ttl=REGISTRY_CACHE_SECONDS, show_spinner=False)
def _model_history(tracking_uri: str) -> ModelHistory:
    return model_history(tracking_uri)


def load_model_history() -> ModelHistory | None:
    """The registry's versions, cached for a minute, with a spinner; None (after saying so
    plainly) when MLflow does not answer."""
    uri = require_settings().mlflow.tracking_uri
    try:
        with st.spinner(f"Loading the model registry from MLflow at {uri}…"):
            return _model_history(uri)
    except MlflowUnreachable as error:
        st.error(
            f"{error}. The model's version, metrics and history cannot be shown until it"
            " answers (start it with `make up`, or check GLS_MLFLOW_TRACKING_URI)."
        )
        return None


def require_settings() -> UiSettings:
    """The settings; stops the page saying what is wrong when they are invalid."""
    try:
        return settings()
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
        st.error(f"The UI's settings are invalid ({problems}).")
        st.stop()


def require_data() -> DataRange:
    """The loaded years; stops the page with a plain notice when the settings are invalid or
    no accident is loaded yet."""
    require_settings()
    loaded = load(data_range, what="the loaded years")
    if loaded.empty:
        st.info(
            "No accident data is loaded yet, so there is nothing to show. Drop BAAC year folders"
            " into the data directory and run `gls ingest` (or `make up`, which writes demo data"
            " into an empty data directory and ingests it)."
        )
        st.stop()
    return loaded


def period_filter(loaded: DataRange, key: str = "years") -> Period:
    """The year range, in the URL so the view can be shared."""
    assert loaded.first is not None and loaded.last is not None
    if loaded.first == loaded.last:
        st.sidebar.caption(f"Data for {loaded.first} only.")
        return Period(loaded.first, loaded.last)
    whole = (loaded.first, loaded.last)
    first, last = bound(
        st.sidebar.slider,
        "Years",
        key=key,
        default=whole,
        parse=year_range,
        dump=lambda years: f"{years[0]}-{years[1]}",
        valid=lambda years: loaded.first <= years[0] <= years[1] <= loaded.last,
        min_value=loaded.first,
        max_value=loaded.last,
    )
    return Period(int(first), int(last))


def table(frame: pd.DataFrame, key: str, **columns: Any) -> None:
    """`frame` as a table, its known columns under their English titles and formats
    (`labels.COLUMNS`); `columns` configures others (links) or overrides."""
    config: dict[str, Any] = {}
    for name in frame.columns:
        shown = COLUMNS.get(name)
        if shown is None:
            continue
        if shown.format is None:
            config[name] = st.column_config.Column(shown.title)
        else:
            config[name] = st.column_config.NumberColumn(shown.title, format=shown.format)
    st.dataframe(frame, hide_index=True, key=key, column_config=config | columns)


def csv_download(table: pd.DataFrame, name: str, key: str, label: str = "Download CSV") -> None:
    st.download_button(
        label,
        table.to_csv(index=False).encode("utf-8"),
        file_name=f"{name}.csv",
        mime="text/csv",
        key=key,
    )


def login_box() -> None:
    """Log in through model_api in the sidebar; the token stays in this session only."""
    with st.sidebar:
        if st.session_state.get(TOKEN_KEY):
            st.caption(f"Logged in to model_api as **{st.session_state[USERNAME_KEY]}**")
            if st.button("Log out", key="logout"):
                st.session_state.pop(TOKEN_KEY, None)
                st.rerun()
            return
        with st.form("login", border=True):
            st.caption("Log in (model_api account) to run predictions")
            username = st.text_input("Username", key="login_username")
            password = st.text_input("Password", type="password", key="login_password")
            submitted = st.form_submit_button("Log in")
        if submitted and not (username.strip() and password):
            st.warning("Enter a username and a password.")
        elif submitted:
            try:
                st.session_state[TOKEN_KEY] = model_api().login(username, password)
                st.session_state[USERNAME_KEY] = username
                st.rerun()
            except ModelApiDown as error:
                st.error(str(error))
            except ModelApiError as error:
                st.error("Wrong username or password." if error.status == 401 else str(error))
