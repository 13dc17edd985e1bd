"""model_api: a `service` role for machine accounts (Airflow) that may refresh and predict.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        ALTER TABLE api_users DROP CONSTRAINT api_users_role_check;
        ALTER TABLE api_users ADD CONSTRAINT api_users_role_check
            CHECK (role IN ('admin', 'user', 'service'));
        COMMENT ON TABLE api_users IS
            'Accounts of model_api: argon2 password hash, role admin (reload, users),'
            ' service (reload, predict: pipelines) or user (predict).';
        """
    )


def downgrade() -> None:
    op.execute(
        """
        DELETE FROM api_users WHERE role = 'service';
        ALTER TABLE api_users DROP CONSTRAINT api_users_role_check;
        ALTER TABLE api_users ADD CONSTRAINT api_users_role_check
            CHECK (role IN ('admin', 'user'));
        COMMENT ON TABLE api_users IS
            'Accounts of model_api: argon2 password hash, role admin (reload, users) or user.';
        """
    )
