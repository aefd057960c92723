"""random response ids: response.id and rating.response_id 64 bits wide, existing answers
renumbered at random

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 10:00:00

"""
import secrets

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

RATING_FK = 'fk_rating_response_id_response'


def upgrade():
    # Ids that counted up put the answers in arrival order, which with any log of the day
    # dates each one (disclosure policy §5). New ids are drawn at random (models.new_response_id).
    bind = op.get_bind()
    postgres = bind.dialect.name == 'postgresql'
    if postgres:
        # The foreign key goes while both of its sides change type and value.
        op.drop_constraint(op.f(RATING_FK), 'rating', type_='foreignkey')
        sequence = bind.execute(sa.text("SELECT pg_get_serial_sequence('response', 'id')"))\
            .scalar()
        op.alter_column('response', 'id', type_=sa.BigInteger(), existing_type=sa.Integer(),
                        existing_nullable=False, server_default=None)
        if sequence:  # nothing may hand out ids that count up any more
            op.execute(f'DROP SEQUENCE {sequence}')
        op.alter_column('rating', 'response_id', type_=sa.BigInteger(),
                        existing_type=sa.Integer(), existing_nullable=False)
    # SQLite: INTEGER already holds 64 bits and is the rowid, so no table is rebuilt. (Batch
    # mode would copy `response` and drop the old table, and with foreign keys on, dropping it
    # deletes every rating through ON DELETE CASCADE.)
    _renumber(bind, _random_ids)
    if postgres:
        _create_rating_fk()


def downgrade():
    bind = op.get_bind()
    postgres = bind.dialect.name == 'postgresql'
    if postgres:
        op.drop_constraint(op.f(RATING_FK), 'rating', type_='foreignkey')
    # Back to small numbers that fit INTEGER; in the order of the random ids, not of arrival.
    _renumber(bind, _counting_ids)
    if postgres:
        op.alter_column('rating', 'response_id', type_=sa.Integer(),
                        existing_type=sa.BigInteger(), existing_nullable=False)
        op.alter_column('response', 'id', type_=sa.Integer(), existing_type=sa.BigInteger(),
                        existing_nullable=False)
        op.execute('CREATE SEQUENCE response_id_seq OWNED BY response.id')
        op.execute("SELECT setval('response_id_seq', "
                   "COALESCE((SELECT MAX(id) FROM response), 0) + 1, false)")
        op.alter_column('response', 'id', existing_type=sa.Integer(), existing_nullable=False,
                        server_default=sa.text("nextval('response_id_seq'::regclass)"))
        _create_rating_fk()


def _create_rating_fk():
    op.create_foreign_key(op.f(RATING_FK), 'rating', 'response', ['response_id'], ['id'],
                          ondelete='CASCADE')


def _random_ids(old_ids):
    """A new random id (1 … 2**62 − 1) for each old one, none equal to any old id, so that
    no row ever takes an id another row still holds while the UPDATE runs."""
    taken = set(old_ids)
    new_ids = []
    while len(new_ids) < len(old_ids):
        candidate = secrets.randbelow(2**62 - 1) + 1
        if candidate not in taken:
            taken.add(candidate)
            new_ids.append(candidate)
    return dict(zip(old_ids, new_ids, strict=True))


def _counting_ids(old_ids):
    """1, 2, 3 … in the order of the old ids, skipping any still held by an old row."""
    taken = set(old_ids)
    numbers = (n for n in range(1, 2 * len(old_ids) + 2) if n not in taken)
    return dict(zip(sorted(old_ids), numbers, strict=False))


def _renumber(bind, new_ids):
    """Give every response the id new_ids(old ids) maps it to, and its ratings with it."""
    response = sa.table('response', sa.column('id'))
    old_ids = bind.execute(sa.select(response.c.id)).scalars().all()
    if not old_ids:
        return
    id_map = sa.Table('response_id_map', sa.MetaData(),
                      sa.Column('old_id', sa.BigInteger(), primary_key=True),
                      sa.Column('new_id', sa.BigInteger(), nullable=False),
                      prefixes=['TEMPORARY'])
    id_map.create(bind)
    bind.execute(id_map.insert(), [{'old_id': old, 'new_id': new}
                                   for old, new in new_ids(old_ids).items()])
    if bind.dialect.name == 'sqlite':
        # Ratings point at the old ids until their own UPDATE: check the foreign keys at the
        # commit that ends this migration instead of after each statement. (The INSERT above
        # has opened the transaction; outside one this pragma would not hold.)
        bind.exec_driver_sql('PRAGMA defer_foreign_keys = ON')
        if bind.exec_driver_sql('PRAGMA defer_foreign_keys').scalar() != 1:
            raise RuntimeError('SQLite did not defer its foreign key checks')
    for table, column in (('response', 'id'), ('rating', 'response_id')):
        bind.exec_driver_sql(f'UPDATE {table} SET {column} = (SELECT new_id FROM '
                             f'response_id_map WHERE old_id = {table}.{column})')
    id_map.drop(bind)
