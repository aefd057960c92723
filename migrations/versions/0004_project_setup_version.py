"""project.setup_version; drop project.results_token

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
    with op.batch_alter_table('project', schema=None) as batch_op:
        # Raised with every change to a project's setup; app processes cache the setup by it.
        batch_op.add_column(sa.Column('setup_version', sa.Integer(), server_default='1',
                                      nullable=False))
        # The secret results link from before accounts: results are behind the login now,
        # and a secret that opens nothing should not be kept.
        batch_op.drop_constraint(batch_op.f('uq_project_results_token'), type_='unique')
        batch_op.drop_column('results_token')


def downgrade():
    with op.batch_alter_table('project', schema=None) as batch_op:
        batch_op.add_column(sa.Column('results_token', sa.String(length=64), nullable=True))
        batch_op.drop_column('setup_version')
    # Each project gets a new random token, as the model made them.
    import secrets

    bind = op.get_bind()
    project = sa.table('project', sa.column('id'), sa.column('results_token'))
    for (project_id,) in bind.execute(sa.select(project.c.id)).all():
        bind.execute(project.update().where(project.c.id == project_id)
                     .values(results_token=secrets.token_urlsafe(24)))
    with op.batch_alter_table('project', schema=None) as batch_op:
        batch_op.alter_column('results_token', nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_project_results_token'),
                                          ['results_token'])
