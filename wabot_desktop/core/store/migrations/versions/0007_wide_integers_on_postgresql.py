"""Wide integers for values Meta sends (timestamps, error codes) on PostgreSQL.

SQLite's INTEGER is 64-bit already: nothing changes there. On PostgreSQL these columns were
32-bit (INTEGER), so a webhook with a large timestamp or error code could never be stored
(issue 16).

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_COLUMNS = (
    ("messages", "error_code"),
    ("messages", "wa_timestamp"),
    ("message_statuses", "wa_timestamp"),
    ("message_statuses", "error_code"),
    ("outbox", "last_error_code"),
    ("unattributed_messages", "wa_timestamp"),
)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, column in _COLUMNS:
        op.alter_column(table, column, type_=sa.BigInteger(), existing_type=sa.Integer())


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, column in _COLUMNS:
        op.alter_column(table, column, type_=sa.Integer(), existing_type=sa.BigInteger())
