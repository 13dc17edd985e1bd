from __future__ import annotations

import os
from pathlib import Path

import pytest
from data import insert_synthetic

nbclient = pytest.importorskip("nbclient")
nbformat = pytest.importorskip("nbformat")

NOTEBOOK = Path(__file__).resolve().parents[3] / "notebooks" / "gravity_model_exploration.ipynb"


@pytest.mark.slow
def test_the_exploration_notebook_runs_top_to_bottom(database_url, tmp_path, monkeypatch):
    insert_synthetic(database_url, [2019, 2020, 2021], per_year=300, seed=2)
    monkeypatch.setenv("GLS_DATABASE_URL", database_url)
    monkeypatch.setenv("ADMIN_PASSWORD", "unused")
    monkeypatch.setenv("GLS_ENV_FILE", str(tmp_path / "none.env"))
    monkeypatch.setenv("GLS_MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path / 'mlflow.db'}")
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(
        notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": tmp_path}}
    )
    client.execute(env=dict(os.environ))
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    text = "".join(o.get("text", "") for o in outputs)
    assert "temporal: train 2019, validation 2020, test 2021" in text
    assert "no version of accident_gravity" in text
