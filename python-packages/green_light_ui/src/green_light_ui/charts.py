"""Charts of the dashboards (Altair), built from the dashboards' frames."""

from __future__ import annotations

from typing import TYPE_CHECKING

import altair as alt

from green_light_ui.labels import WEEKDAYS

if TYPE_CHECKING:
    import pandas as pd


def weekday_hour(heatmap: pd.DataFrame) -> alt.Chart:
    """Accidents by day of the week (rows) and hour (columns)."""
    data = heatmap.assign(day=[WEEKDAYS[int(d) - 1] for d in heatmap["weekday"]])
    return (
        alt.Chart(data)
        .mark_rect()
        .encode(
            x=alt.X("hour:O", title="Hour"),
            y=alt.Y("day:O", sort=list(WEEKDAYS), title=None),
            color=alt.Color("accidents:Q", scale=alt.Scale(scheme="orangered"), title="Accidents"),
            tooltip=["day", "hour", "accidents", "ksi_accidents"],
        )
    )


def bars(table: pd.DataFrame, category: str, value: str = "accidents") -> alt.Chart:
    """Horizontal bars of `value` per `category`, largest first."""
    return (
        alt.Chart(table)
        .mark_bar()
        .encode(
            x=alt.X(f"{value}:Q", title=value.replace("_", " ")),
            y=alt.Y(f"{category}:N", sort="-x", title=None),
            tooltip=list(table.columns),
        )
    )


def calibration(points: pd.DataFrame) -> alt.LayerChart:
    """Observed KSI rate against mean predicted probability per decile, one line per model,
    over the diagonal of a perfectly calibrated model."""
    top = float(max(points["predicted"].max(), points["observed"].max(), 0.05))
    diagonal = (
        alt.Chart(alt.Data(values=[{"p": 0.0}, {"p": top}]))
        .mark_line(strokeDash=[4, 4], color="grey")
        .encode(x="p:Q", y="p:Q")
    )
    curves = (
        alt.Chart(points)
        .mark_line(point=True)
        .encode(
            x=alt.X("predicted:Q", title="Predicted P(KSI), decile mean"),
            y=alt.Y("observed:Q", title="Observed KSI rate"),
            color=alt.Color("model:N", title="Model"),
            tooltip=["model", "predicted", "observed", "accidents"],
        )
    )
    return diagonal + curves
