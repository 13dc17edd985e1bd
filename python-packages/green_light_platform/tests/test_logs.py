"""Logging set up once keeps working when stderr is swapped afterwards."""

from __future__ import annotations

import io
import json
import logging
import sys

from green_light_platform.logs import configure_logging


def test_records_go_to_the_current_stderr_even_after_the_first_one_is_closed(monkeypatch):
    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", list(root.handlers))
    monkeypatch.setattr(root, "level", root.level)
    first = io.StringIO()
    monkeypatch.setattr(sys, "stderr", first)
    configure_logging(fmt="json")
    first.close()
    second = io.StringIO()
    monkeypatch.setattr(sys, "stderr", second)
    logging.getLogger("gls.test").warning("still heard", extra={"where": "second"})
    record = json.loads(second.getvalue())
    assert (record["event"], record["where"], record["level"]) == (
        "still heard",
        "second",
        "warning",
    )
