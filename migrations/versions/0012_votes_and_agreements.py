"""the seminar: priority votes (per round, anonymous ballots) and agreements

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 06:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

BALLOT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade():
    op.create_table(
        'priority_vote',
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(['round_id'], ['round.id'],
                                name=op.f('fk_priority_vote_round_id_round'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('round_id', name=op.f('pk_priority_vote')),
    )
    op.create_table(
        'vote_choice',
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('ballot', BALLOT, autoincrement=False, nullable=False),
        sa.Column('item_key', sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(['round_id'], ['round.id'],
                                name=op.f('fk_vote_choice_round_id_round'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('round_id', 'ballot', 'item_key', name=op.f('pk_vote_choice')),
    )
    op.create_table(
        'agreement',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('items', sa.JSON(), nullable=False),
        sa.Column('action', sa.Text(), nullable=False),
        sa.Column('owner', sa.String(length=200), nullable=False),
        sa.Column('due', sa.String(length=100), nullable=False),
        sa.Column('status', sa.String(length=16), server_default='in_progress',
                  nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['round_id'], ['round.id'],
                                name=op.f('fk_agreement_round_id_round'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_agreement')),
    )
    op.create_index(op.f('ix_agreement_round_id'), 'agreement', ['round_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_agreement_round_id'), table_name='agreement')
    op.drop_table('agreement')
    op.drop_table('vote_choice')
    op.drop_table('priority_vote')
