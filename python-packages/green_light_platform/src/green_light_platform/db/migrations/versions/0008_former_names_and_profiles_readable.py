"""Former commune names, and the data-quality profiles readable by the dashboards.

- `commune_former_names` (reference): the names of merged communes (communes déléguées and
  associées of Etalab's reference) and the current commune they belong to, so a commune can
  be found by the name it had before a merger; a commune nouvelle's seat keeps its code, so
  its former name has `former_code = current_code`.
- `gls_reader` may read `column_profiles` (the model and pipelines page shows the
  data-quality profile per year) and the new reference table.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

READER = "gls_reader"


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE commune_former_names (
            former_code  text PRIMARY KEY,
            name         text NOT NULL,
            current_code text NOT NULL
        );
        CREATE INDEX commune_former_names_current_idx ON commune_former_names (current_code);
        COMMENT ON TABLE commune_former_names IS
            'Names of merged communes (Etalab communes deleguees and associees) and the current'
            ' commune they belong to.';
        """
    )
    op.execute(f"GRANT SELECT ON commune_former_names, column_profiles TO {READER}")


def downgrade() -> None:
    op.execute(f"REVOKE ALL ON column_profiles FROM {READER}")
    op.execute("DROP TABLE commune_former_names")
