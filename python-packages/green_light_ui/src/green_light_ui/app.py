"""The Streamlit entry point (`gls serve ui`): the navigation and the login, nothing else."""

from __future__ import annotations

import streamlit as st

from green_light_ui.session import login_box

st.set_page_config(page_title="Green Light Services", page_icon=":material/traffic:", layout="wide")

navigation = st.navigation(
    [
        st.Page("app_pages/overview.py", title="Overview", icon=":material/map:", default=True),
        st.Page(
            "app_pages/place.py",
            title="Municipality / departement",
            icon=":material/location_city:",
            url_path="place",
        ),
        st.Page(
            "app_pages/hotspots.py",
            title="Hot spots",
            icon=":material/local_fire_department:",
            url_path="hotspots",
        ),
        st.Page(
            "app_pages/predict.py",
            title="Predict",
            icon=":material/online_prediction:",
            url_path="predict",
        ),
        st.Page(
            "app_pages/model.py",
            title="Model and pipelines",
            icon=":material/monitoring:",
            url_path="model",
        ),
    ]
)
login_box()
navigation.run()
