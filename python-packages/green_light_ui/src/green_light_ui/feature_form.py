"""The Predict form in Streamlit: one widget per feature of the gravity model, labelled from
the feature specification and the code list, prefilled from the place's history."""

from __future__ import annotations

from typing import Any

import streamlit as st

from gravity_model.features import Feature, feature
from green_light_ui.dashboards.prediction import choice_label, numeric_choices

FRACTIONAL = frozenset({"lat", "lon"})
"""The numeric features that are not whole numbers."""


def feature_input(name: str, prefilled: Any, key: str) -> Any:
    """A widget for one feature, with its English label and help; returns the chosen value."""
    spec: Feature = feature(name)
    help_text = spec.description
    if spec.kind == "categorical" or numeric_choices(spec) is not None:
        options = [None, *(spec.domain if spec.kind == "categorical" else numeric_choices(spec))]
        index = options.index(prefilled) if prefilled in options else 0
        return st.selectbox(
            spec.label_en,
            options,
            index=index,
            key=key,
            help=help_text,
            format_func=lambda value: choice_label(spec, value),
        )
    if spec.kind == "boolean":
        options = [None, False, True]
        names = {None: "Unknown", False: "No", True: "Yes"}
        return st.selectbox(
            spec.label_en,
            options,
            index=options.index(prefilled),
            key=key,
            help=help_text,
            format_func=names.__getitem__,
        )
    low, high = spec.domain
    fractional = name in FRACTIONAL
    return st.number_input(
        f"{spec.label_en} ({spec.unit})" if spec.unit else spec.label_en,
        min_value=float(low),
        max_value=float(high),
        value=None if prefilled is None else float(prefilled),
        step=0.0001 if fractional else 1.0,
        format="%.5f" if fractional else "%.0f",
        key=key,
        help=help_text,
        placeholder="Unknown",
    )
