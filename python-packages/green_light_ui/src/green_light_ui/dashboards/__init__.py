"""What each page shows, computed from the analytics queries: plain functions taking an engine,
so pages, tests and the benchmark call the same code."""
