"""releases: stored snapshots of each round's tallies, the source of every published figure

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 03:00:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    # Existing rounds get their first release on their first read (services/disclosure.py):
    # a migration cannot decide visibility, which needs the instrument and the exact check.
    op.create_table(
        'release',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('cut_on', sa.Date(), nullable=False),
        sa.Column('responses', sa.Integer(), nullable=False),
        sa.Column('combinations', sa.Text(), nullable=False),
        sa.Column('hidden', sa.Text(), nullable=False),
        sa.Column('breakdowns_published', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['round_id'], ['round.id'],
                                name=op.f('fk_release_round_id_round'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_release')),
        sa.UniqueConstraint('round_id', 'number', name=op.f('uq_release_round_id')),
    )
    op.create_table(
        'release_tally',
        sa.Column('release_id', sa.Integer(), nullable=False),
        sa.Column('profession_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('district_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('item_key', sa.String(length=64), nullable=False),
        sa.Column('value', sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['release_id'], ['release.id'],
                                name=op.f('fk_release_tally_release_id_release'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('release_id', 'profession_id', 'district_id', 'item_key',
                                'value', name=op.f('pk_release_tally')),
    )


def downgrade():
    op.drop_table('release_tally')
    op.drop_table('release')
