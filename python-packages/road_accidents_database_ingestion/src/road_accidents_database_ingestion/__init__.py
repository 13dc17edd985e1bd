"""Green Light Services data foundation: settings, the RoadAccidents schema and BAAC ingestion."""
