"""project.setup_version

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 15:10:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    # Raised with every change to a project's setup; app processes cache the setup by it.
    with op.batch_alter_table('project', schema=None) as batch_op:
        batch_op.add_column(sa.Column('setup_version', sa.Integer(), server_default='1',
                                      nullable=False))


def downgrade():
    with op.batch_alter_table('project', schema=None) as batch_op:
        batch_op.drop_column('setup_version')
