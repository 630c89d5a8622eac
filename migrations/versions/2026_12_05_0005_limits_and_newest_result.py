"""rate limits in the database; each assessment carries its newest result (kept by a trigger) for the admin search

- rate_limit: one row per (route group, client) with its fixed-window count, shared by every worker.
- assessment.latest_result_id, .recommendation and .result_at: the newest result's id, recommendation and time,
  set by the trigger result_newest on every result insert (ORM, Core or plain SQL alike) and backfilled here.
  The admin search filters and sorts assessment alone; before, it found each newest result with a GROUP BY that
  the planners joined by a full scan per row (issue 15: 21.6 s at 8,589 assessments).
- indexes: assessment.created_at (the search's order and date filters) and assessment.recommendation.

A later migration that recreates `result` in SQLite batch mode drops result_newest with it and must create it
again; one that recreates `assessment` must drop the trigger first (SQLite checks trigger bodies on a rename).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05 09:30:00.000000
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Union

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0005'
down_revision: Union[str, None] = '0004'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

NEWEST = """UPDATE assessment SET latest_result_id = NEW.id, recommendation = NEW.recommendation,
                    result_at = NEW.created_at
             WHERE id = NEW.assessment_id AND (latest_result_id IS NULL OR latest_result_id < NEW.id)"""
SQLITE_TRIGGER = f"CREATE TRIGGER result_newest AFTER INSERT ON result BEGIN {NEWEST}; END"
PG_FUNCTION = f"""CREATE FUNCTION result_newest() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {NEWEST};
    RETURN NULL;
END $$"""
PG_TRIGGER = "CREATE TRIGGER result_newest AFTER INSERT ON result FOR EACH ROW EXECUTE FUNCTION result_newest()"
BACKFILL = (
    "UPDATE assessment SET latest_result_id = (SELECT MAX(r.id) FROM result r WHERE r.assessment_id = assessment.id)",
    """UPDATE assessment SET
           recommendation = (SELECT r.recommendation FROM result r WHERE r.id = assessment.latest_result_id),
           result_at = (SELECT r.created_at FROM result r WHERE r.id = assessment.latest_result_id)
       WHERE latest_result_id IS NOT NULL""",
)


def upgrade() -> None:
    op.create_table('rate_limit',
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('window_start', sa.BigInteger(), nullable=False),
    sa.Column('hits', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_rate_limit'))
    )
    with op.batch_alter_table('assessment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('latest_result_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('recommendation', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True))
        batch_op.add_column(sa.Column('result_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.create_index(batch_op.f('ix_assessment_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_assessment_recommendation'), ['recommendation'], unique=False)
    for statement in BACKFILL:
        op.execute(statement)
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(PG_FUNCTION)
        op.execute(PG_TRIGGER)
    else:
        op.execute(SQLITE_TRIGGER)


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == 'postgresql'
    op.execute("DROP TRIGGER IF EXISTS result_newest" + (" ON result" if postgres else ""))
    if postgres:
        op.execute("DROP FUNCTION IF EXISTS result_newest()")
    op.drop_index(op.f('ix_assessment_recommendation'), table_name='assessment')
    op.drop_index(op.f('ix_assessment_created_at'), table_name='assessment')
    # A plain DROP COLUMN (SQLite 3.35+): batch mode would recreate assessment, and dropping the old table
    # cascades to every result under foreign_keys=ON.
    for column in ('result_at', 'recommendation', 'latest_result_id'):
        op.execute(f"ALTER TABLE assessment DROP COLUMN {column}")
    op.drop_table('rate_limit')
