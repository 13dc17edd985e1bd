"""The RoadAccidents database: connections, the embedded server and migrations."""
