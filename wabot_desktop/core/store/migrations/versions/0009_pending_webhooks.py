"""pending webhooks: bodies acknowledged before they are parsed

Under a burst the writer commits only the verified body (this table) and answers 200; it
parses the rows into messages and statuses just after (core/store/writer.py, issue 17). A body
still here after a crash is parsed at the next start.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pending_webhooks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("received_at", sa.Float(), nullable=False),
        sa.Column("phone_number_id", sa.String(length=64), nullable=True),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pending_webhooks")),
    )


def downgrade() -> None:
    op.drop_table("pending_webhooks")
