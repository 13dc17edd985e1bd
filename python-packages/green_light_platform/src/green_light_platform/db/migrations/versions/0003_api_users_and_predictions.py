"""model_api: its users (with roles) and the log of every prediction it served.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE api_users (
            id             bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            username       text        NOT NULL UNIQUE
                CHECK (length(username) BETWEEN 1 AND 64),
            password_hash  text        NOT NULL,
            role           text        NOT NULL DEFAULT 'user'
                CHECK (role IN ('admin', 'user')),
            disabled       boolean     NOT NULL DEFAULT false,
            created_at     timestamptz NOT NULL DEFAULT now()
        );
        COMMENT ON TABLE api_users IS
            'Accounts of model_api: argon2 password hash, role admin (reload, users) or user.';

        CREATE TABLE prediction_log (
            id              bigint           GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            created_at      timestamptz      NOT NULL,
            model_name      text             NOT NULL,
            model_version   text             NOT NULL,
            endpoint        text             NOT NULL,
            input           jsonb            NOT NULL,
            probability     double precision NOT NULL CHECK (probability BETWEEN 0 AND 1),
            predicted_class smallint         NOT NULL CHECK (predicted_class IN (0, 1)),
            username        text             NOT NULL
        );
        -- Append-only and queried by time range: BRIN stays tiny at any size.
        CREATE INDEX prediction_log_created_at_idx ON prediction_log USING brin (created_at);
        CREATE INDEX prediction_log_model_idx
            ON prediction_log (model_name, model_version, created_at);
        COMMENT ON TABLE prediction_log IS
            'Every prediction model_api served: input, output, model version, user.';
        """
    )


def downgrade() -> None:
    op.execute("DROP TABLE prediction_log; DROP TABLE api_users;")
