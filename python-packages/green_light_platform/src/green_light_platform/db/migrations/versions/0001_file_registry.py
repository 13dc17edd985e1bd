"""File registry: every accident file seen, its checksum, status and reason.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from __future__ import annotations

from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE source_files (
            id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            path           text        NOT NULL,
            year           smallint    NOT NULL,
            table_name     text        NOT NULL
                CHECK (table_name IN ('caracteristiques', 'lieux', 'vehicules', 'usagers')),
            layout         text,
            size_bytes     bigint      NOT NULL,
            sha256         text        NOT NULL,
            rows_read      integer,
            rows_loaded    integer,
            rows_rejected  integer,
            status         text        NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'loaded', 'failed', 'replaced')),
            reason         text,
            first_seen_at  timestamptz NOT NULL DEFAULT now(),
            updated_at     timestamptz NOT NULL DEFAULT now(),
            loaded_at      timestamptz,
            UNIQUE (path, sha256)
        );
        CREATE INDEX source_files_year_idx ON source_files (year);
        COMMENT ON TABLE source_files IS
            'Every version of every BAAC file ingestion has seen: checksum, status, reason.';

        CREATE TABLE ingested_years (
            year           smallint    PRIMARY KEY,
            folder         text        NOT NULL,
            fingerprint    text        NOT NULL,
            status         text        NOT NULL CHECK (status IN ('loaded', 'failed')),
            reason         text,
            accidents      integer,
            places         integer,
            vehicles       integer,
            persons        integer,
            rejected       integer,
            duration_s     double precision,
            updated_at     timestamptz NOT NULL DEFAULT now()
        );
        COMMENT ON TABLE ingested_years IS
            'Outcome of the last ingestion of each year folder.';

        CREATE TABLE rejects (
            id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            source_file_id bigint      NOT NULL REFERENCES source_files (id) ON DELETE CASCADE,
            line           integer,
            column_name    text,
            value          text,
            rule           text        NOT NULL,
            message        text        NOT NULL,
            created_at     timestamptz NOT NULL DEFAULT now()
        );
        CREATE INDEX rejects_source_file_idx ON rejects (source_file_id);
        COMMENT ON TABLE rejects IS
            'Row-level problems found by validation: file, line, column, value and rule.';
        """
    )


def downgrade() -> None:
    op.execute("DROP TABLE rejects; DROP TABLE ingested_years; DROP TABLE source_files;")
