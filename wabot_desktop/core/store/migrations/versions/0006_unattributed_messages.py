"""unattributed messages

A customer message whose webhook names no sender at all used to be logged and dropped. It is
kept instead (nothing a customer sent is lost) and shown to the owner.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 22:50:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "unattributed_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("wamid", sa.String(length=255), nullable=False),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("wa_timestamp", sa.Integer(), nullable=True),
        sa.Column("received_at", sa.Float(), nullable=False),
        sa.Column("raw", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unattributed_messages")),
        sa.UniqueConstraint("wamid", name=op.f("uq_unattributed_messages_wamid")),
    )
    with op.batch_alter_table("unattributed_messages", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_unattributed_messages_received_at"), ["received_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("unattributed_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_unattributed_messages_received_at"))
    op.drop_table("unattributed_messages")
