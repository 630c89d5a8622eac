"""submission.payload_sha256 goes: only the load tests read it, and they compute the digest themselves

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05 06:45:00.000000
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Union

import sqlalchemy as sa
from alembic import op

revision: str = '0004'
down_revision: Union[str, None] = '0003'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.drop_column('payload_sha256')


def downgrade() -> None:
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.add_column(sa.Column('payload_sha256', sa.String(length=64), nullable=False, server_default=''))
