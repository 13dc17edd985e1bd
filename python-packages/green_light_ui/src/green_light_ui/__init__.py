"""Green Light Services UI: Streamlit dashboards of road accidents and hot-spot predictions."""
