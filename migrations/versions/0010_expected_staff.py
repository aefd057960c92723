"""expected staff: per round, how many staff each profession and each district expects

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 04:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'expected_staff',
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('part_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['round_id'], ['round.id'],
                                name=op.f('fk_expected_staff_round_id_round'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('round_id', 'kind', 'part_id', name=op.f('pk_expected_staff')),
    )


def downgrade():
    op.drop_table('expected_staff')
