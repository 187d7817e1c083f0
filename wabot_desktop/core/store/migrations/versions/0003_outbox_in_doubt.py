"""outbox in doubt

A send whose request left but whose answer never came (SIGTERM past the grace period, kill -9,
power cut) may have reached Meta. ``outbox.send_started_at`` marks such a row, and
``outbox.in_doubt_decision`` records what start-up decided for it. Status webhooks keep their
``biz_opaque_callback_data`` (``message_statuses.callback_data``), which carries the outbox row
id, so a status for an unconfirmed send identifies the row even though its wamid was never
learned.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 23:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("send_started_at", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("in_doubt_decision", sa.String(length=32), nullable=True))
    with op.batch_alter_table("message_statuses", schema=None) as batch_op:
        batch_op.add_column(sa.Column("callback_data", sa.String(length=512), nullable=True))
        batch_op.create_index(
            "ix_message_statuses_callback_data", ["callback_data"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("message_statuses", schema=None) as batch_op:
        batch_op.drop_index("ix_message_statuses_callback_data")
        batch_op.drop_column("callback_data")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("in_doubt_decision")
        batch_op.drop_column("send_started_at")
