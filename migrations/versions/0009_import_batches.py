"""import batches: every import is a batch its project's supporter can undo

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-08 03:00:00

"""
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

FK = 'fk_response_import_batch_id_import_batch'
INDEX = 'ix_response_import_batch_id'


def upgrade():
    op.create_table(
        'import_batch',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('project_id', sa.Integer(), nullable=False),
        sa.Column('created_on', sa.Date(), nullable=False),
        sa.Column('rows', sa.Integer(), nullable=False),
        sa.Column('file_sha256', sa.String(length=64), nullable=False),
        sa.Column('filename', sa.String(length=100), nullable=False),
        sa.Column('undone', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['project_id'], ['project.id'],
                                name=op.f('fk_import_batch_project_id_project'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_import_batch')),
    )
    op.create_index('uq_import_batch_live_file', 'import_batch', ['project_id', 'file_sha256'],
                    unique=True, sqlite_where=sa.text('NOT undone'),
                    postgresql_where=sa.text('NOT undone'))
    with _ratings_kept():
        with op.batch_alter_table('response', schema=None) as batch_op:
            batch_op.add_column(sa.Column('import_batch_id', sa.Integer(), nullable=True))
            batch_op.create_foreign_key(op.f(FK), 'import_batch', ['import_batch_id'], ['id'],
                                        ondelete='SET NULL')
            batch_op.create_index(op.f(INDEX), ['import_batch_id'], unique=False)


def downgrade():
    # Imported answers stay; only the record of which import brought them goes.
    with _ratings_kept():
        with op.batch_alter_table('response', schema=None) as batch_op:
            batch_op.drop_index(op.f(INDEX))
            batch_op.drop_constraint(op.f(FK), type_='foreignkey')
            batch_op.drop_column('import_batch_id')
    op.drop_index('uq_import_batch_live_file', table_name='import_batch')
    op.drop_table('import_batch')


@contextmanager
def _ratings_kept():
    """SQLite: batch mode copies `response` and drops the old table, and with foreign keys on
    (they cannot be switched off inside the migration's transaction) dropping it deletes
    every rating through ON DELETE CASCADE. So the ratings are set aside first and put back
    after. PostgreSQL alters the table in place: nothing to do."""
    if op.get_bind().dialect.name != 'sqlite':
        yield
        return
    op.execute('CREATE TEMPORARY TABLE rating_kept AS '
               'SELECT response_id, item_key, value FROM rating')
    yield
    op.execute('INSERT INTO rating (response_id, item_key, value) '
               'SELECT response_id, item_key, value FROM rating_kept '
               'WHERE response_id NOT IN (SELECT response_id FROM rating)')
    op.execute('DROP TABLE rating_kept')
