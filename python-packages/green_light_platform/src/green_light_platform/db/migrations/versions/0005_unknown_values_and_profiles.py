"""Unknown values kept as written, and each file's per-column data-quality profile.

A code outside its column's list costs the value, not the row: the value is NULL in the
harmonised tables and its raw text is kept in `unknown_values`. `column_profiles` says, per
file and column, how many cells were "not given" and how many unknown.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE unknown_values (
            id             bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            source_file_id bigint  NOT NULL REFERENCES source_files (id) ON DELETE CASCADE,
            line           integer NOT NULL,
            column_name    text    NOT NULL,
            raw_value      text    NOT NULL
        );
        CREATE INDEX unknown_values_source_file_idx ON unknown_values (source_file_id);
        COMMENT ON TABLE unknown_values IS
            'Cells that are no code of their column (NULL in the tables), as written.';

        CREATE TABLE column_profiles (
            source_file_id bigint  NOT NULL REFERENCES source_files (id) ON DELETE CASCADE,
            column_name    text    NOT NULL,
            rows           integer NOT NULL,
            not_given      integer NOT NULL,
            unknown        integer NOT NULL,
            PRIMARY KEY (source_file_id, column_name)
        );
        COMMENT ON TABLE column_profiles IS
            'Per file and column: rows read, cells "not given" and cells unknown.';
        """
    )


def downgrade() -> None:
    op.execute("DROP TABLE column_profiles; DROP TABLE unknown_values;")
