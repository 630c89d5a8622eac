"""decisions over time: variants, the bank version, contributors and their changes, the decision and its outcome

- assessment.origin_id: the assessment a variant ("what if…") was copied from; a plain indexed integer, no foreign
  key, so deleting an origin leaves its variants alone and SQLite drops the column in place on a downgrade.
- assessment.origin_result_id: the origin's result a variant was made from (its report offers the comparison).
- assessment.bank_version, .rules_version: the question bank and rules an assessment was started on (the admin
  funnel groups by them); NULL for assessments started before this migration.
- result.confidence: the payload's confidence label, so the insight page counts by it without reading ~30 kB
  payloads; backfilled here from the payloads.
- indexes for that page: result (created_at, recommendation, confidence) and submission (assessment_id, step), each
  covering its query (bench/insights.py: 100,000 assessments).
- assessment.steps_saved: bit i set once the i-th step was saved (backfilled from the saves), so the admin funnel
  reads one small row per assessment instead of folding every save.
- submission.contributor and .changes: the name a person gave when saving a step, and which answers the save
  changed (question → [before, after]); NULL for earlier saves.
- decision: one row per result: MADR status (proposed / accepted / rejected / superseded), owner, dates, rationale,
  and later the outcome (what the team did and how it went); versioned for 409 on a concurrent change.

Stored results are untouched: snapshots stay byte-identical.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 10:30:00.000000
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Union

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0007'
down_revision: Union[str, None] = '0006'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# Which steps each assessment saved, from its saves: bit i for the i-th step of the question bank of this date.
STEPS_SAVED = """UPDATE assessment SET steps_saved = (
    SELECT COALESCE(SUM(DISTINCT CASE s.step WHEN 'problem' THEN 1 WHEN 'tried' THEN 2 WHEN 'data' THEN 4
                                              WHEN 'output' THEN 8 WHEN 'constraints' THEN 16 ELSE 0 END), 0)
    FROM submission s WHERE s.assessment_id = assessment.id)"""
# The confidence label of every stored result, from its payload (indexed by "is PostgreSQL").
BACKFILL = ("UPDATE result SET confidence = json_extract(payload, '$.confidence.label')",
            "UPDATE result SET confidence = payload -> 'confidence' ->> 'label'")


def upgrade() -> None:
    # Plain ADD COLUMN (no batch): recreating `assessment` would have to drop and restore the result_newest trigger.
    op.add_column('assessment', sa.Column('origin_id', sa.Integer(), nullable=True))
    op.add_column('assessment', sa.Column('origin_result_id', sa.Integer(), nullable=True))
    op.add_column('assessment', sa.Column('bank_version', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True))
    op.add_column('assessment', sa.Column('rules_version', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True))
    op.add_column('assessment', sa.Column('steps_saved', sa.Integer(), server_default='0', nullable=False))
    op.execute(STEPS_SAVED)
    op.add_column('result', sa.Column('confidence', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True))
    op.execute(BACKFILL[op.get_bind().dialect.name == 'postgresql'])
    op.create_index('ix_result_month', 'result', ['created_at', 'recommendation', 'confidence'], unique=False)
    op.create_index('ix_submission_assessment_step', 'submission', ['assessment_id', 'step'], unique=False)
    op.create_index(op.f('ix_assessment_origin_id'), 'assessment', ['origin_id'], unique=False)
    op.add_column('submission', sa.Column('contributor', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True))
    op.add_column('submission', sa.Column('changes', sa.JSON(), nullable=True))
    op.create_table('decision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('result_id', sa.Integer(), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('recommendation', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('superseded_by', sa.Integer(), nullable=True),
    sa.Column('owner', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('decided_on', sa.Date(), nullable=True),
    sa.Column('rationale', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('revisit_by', sa.Date(), nullable=True),
    sa.Column('outcome_approach', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('outcome', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('outcome_note', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('outcome_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_by', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessment.id'], name=op.f('fk_decision_assessment_id_assessment'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['result_id'], ['result.id'], name=op.f('fk_decision_result_id_result'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_decision')),
    sa.UniqueConstraint('result_id', name=op.f('uq_decision_result_id'))
    )
    op.create_index(op.f('ix_decision_assessment_id'), 'decision', ['assessment_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_decision_assessment_id'), table_name='decision')
    op.drop_table('decision')
    op.drop_column('submission', 'changes')
    op.drop_column('submission', 'contributor')
    op.drop_index(op.f('ix_assessment_origin_id'), table_name='assessment')
    op.drop_index('ix_submission_assessment_step', table_name='submission')
    op.drop_index('ix_result_month', table_name='result')
    op.drop_column('result', 'confidence')
    op.drop_column('assessment', 'steps_saved')
    op.drop_column('assessment', 'rules_version')
    op.drop_column('assessment', 'bank_version')
    op.drop_column('assessment', 'origin_result_id')
    op.drop_column('assessment', 'origin_id')
