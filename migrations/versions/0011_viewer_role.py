"""project_member.role and district_id: read-only viewers (steering groups), optionally
limited to one district

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 04:00:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    # Every existing member runs their project: the server default makes them supporters.
    with op.batch_alter_table('project_member', schema=None) as batch_op:
        batch_op.add_column(sa.Column('role', sa.String(length=16), nullable=False,
                                      server_default='supporter'))
        batch_op.add_column(sa.Column('district_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_project_member_district_id_district'),
                                    'district', ['district_id'], ['id'], ondelete='CASCADE')


def downgrade():
    # A viewer was never a supporter: going back must not make them one.
    op.execute("DELETE FROM project_member WHERE role <> 'supporter'")
    with op.batch_alter_table('project_member', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_project_member_district_id_district'),
                                 type_='foreignkey')
        batch_op.drop_column('district_id')
        batch_op.drop_column('role')
