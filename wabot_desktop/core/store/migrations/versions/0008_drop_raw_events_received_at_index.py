"""Drop the index on raw_events.received_at.

No query reads raw_events by time (the audit copy is read by id, if at all), but every webhook
paid for the index: one more B-tree page written and fsync'd per committed body, on the path
that stands between a webhook and its 200 (issue 17).

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("raw_events", schema=None) as batch_op:
        batch_op.drop_index("ix_raw_events_received_at")


def downgrade() -> None:
    with op.batch_alter_table("raw_events", schema=None) as batch_op:
        batch_op.create_index("ix_raw_events_received_at", ["received_at"], unique=False)
