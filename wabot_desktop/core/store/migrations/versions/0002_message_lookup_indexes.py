"""message lookup indexes

Per-conversation lookups the bot makes for every turn: "any earlier handled customer message?"
and "pending customer messages" (conversation, direction, handled), and "messages of the last
minute" (conversation, created_at). Without them SQLite answered the first from
ix_messages_pending, walking every handled inbound message of the shop (tens of ms on a
200,000-message profile, per turn, on the one database thread), and the last by reading every
message of the conversation.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 16:50:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.create_index(
            "ix_messages_conversation_turn",
            ["conversation_id", "direction", "handled"],
            unique=False,
        )
        batch_op.create_index(
            "ix_messages_conversation_id_created_at",
            ["conversation_id", "created_at"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_index("ix_messages_conversation_id_created_at")
        batch_op.drop_index("ix_messages_conversation_turn")
