"""`gls up` and `gls down` as a user runs them on real rows: the database, the reference and
the ingestion steps of the bring-up, idempotent on a second run."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from .ingestion_support import sample_year


@pytest.mark.usefixtures("real_sample")
def test_up_ingests_the_data_directory_then_changes_nothing(gls_cli):
    sample_year(Path(gls_cli.env["ROAD_ACCIDENTS_DATA_DIRECTORIES"]))
    first = gls_cli("up")
    assert first.returncode == 0, first.stderr
    assert "ingest: 1 year(s) loaded" in first.stdout
    assert "demo-data:" in first.stdout and "nothing written" in first.stdout
    assert "first-champion: skipped: needs MLflow" in first.stdout

    with psycopg.connect(gls_cli("db", "url").stdout.strip()) as conn:
        assert conn.execute("SELECT count(*) FROM accidents").fetchone() == (382,)

    second = gls_cli("up")
    assert second.returncode == 0, second.stderr
    assert "Running upgrade" not in second.stderr, "a second `up` must change nothing"
    assert "0 year(s) loaded, 1 unchanged" in second.stdout

    assert gls_cli("down").returncode == 0
    assert gls_cli("db", "status").returncode == 3
