"""index access_code.round_id

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 12:30:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    # Every load of a round's shared link asks whether the round uses single-use codes.
    with op.batch_alter_table('access_code', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_access_code_round_id'), ['round_id'], unique=False)


def downgrade():
    with op.batch_alter_table('access_code', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_access_code_round_id'))
