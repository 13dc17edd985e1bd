"""Alembic migrations of the RoadAccidents schema."""
