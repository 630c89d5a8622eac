"""view links the manage page can show again: share_link.nonce

- share_link.nonce: the random per-link input of a view token derived from the edit token
  (view = base64url(HMAC-SHA-256(edit token, "view-link:" + nonce)), store/tokens.py). The manage page recomputes
  the address from the edit token in its own URL; the database still holds no working token. NULL for links made
  before this migration (and for links made without an edit token): their addresses are not shown.

Stored results and links are untouched: every existing link keeps working.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05 12:00:00.000000
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Union

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0008'
down_revision: Union[str, None] = '0007'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    # Plain ADD COLUMN (no batch): a nullable column needs no table rebuild on SQLite.
    op.add_column('share_link', sa.Column('nonce', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True))


def downgrade() -> None:
    op.drop_column('share_link', 'nonce')
