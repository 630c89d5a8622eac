"""result.rank_inputs: the slim copy of each payload that the admin weights preview re-ranks

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21 09:40:00.000000

Existing rows are filled in SQL from their payload, in the shape app.engine.weights.rank_inputs writes for new
rows (the preview reads the payload of any row left NULL). SQLite needs 3.38+ for `->`.
"""
from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Union

import sqlalchemy as sa
from alembic import op

revision: str = '0003'
down_revision: Union[str, None] = '0002'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# app.engine.weights.rank_inputs as of this revision: the axis order the scores are listed in, then forced_by and
# one [id, blocked, *scores] per approach (null where the payload lacks a value).
AXES = ("fit", "data", "speed", "risk", "change", "cost")
SQLITE = f"""
    UPDATE result SET rank_inputs = json_object(
        'axes', json('{json.dumps(AXES)}'),
        'forced_by', payload -> '$.forced_by',
        'approaches', (SELECT json_group_array(json_array(
                           a.value -> '$.id', a.value -> '$.blocked', {", ".join(
                               f"a.value -> '$.scores.{x}'" for x in AXES)}))
                       FROM json_each(result.payload, '$.approaches') AS a))
    WHERE rank_inputs IS NULL"""
POSTGRESQL = f"""
    UPDATE result SET rank_inputs = json_build_object(
        'axes', CAST('{json.dumps(AXES)}' AS json),
        'forced_by', payload -> 'forced_by',
        'approaches', COALESCE((SELECT json_agg(json_build_array(
                                    a.value -> 'id', a.value -> 'blocked', {", ".join(
                                        f"a.value -> 'scores' -> '{x}'" for x in AXES)})
                                    ORDER BY a.n)
                                FROM json_array_elements(payload -> 'approaches') WITH ORDINALITY AS a(value, n)),
                               CAST('[]' AS json)))
    WHERE rank_inputs IS NULL"""


def upgrade() -> None:
    with op.batch_alter_table('result', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rank_inputs', sa.JSON(), nullable=True))
    op.execute(SQLITE if op.get_bind().dialect.name == 'sqlite' else POSTGRESQL)


def downgrade() -> None:
    # SQLite's own DROP COLUMN (3.35+): a batch copy would drop and recreate `result`, and with foreign keys on
    # that cascades to share_link.
    with op.batch_alter_table('result', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('rank_inputs')
