"""round.short_code: a short address to type from the seminar screen (/s/<code>)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 04:00:00

"""
import secrets

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

# As models.SHORT_CODE_ALPHABET: no 0/O or 1/I/L. Copied, so this migration stays as it is
# when the model changes.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 5


def upgrade():
    with op.batch_alter_table('round', schema=None) as batch_op:
        batch_op.add_column(sa.Column('short_code', sa.String(length=8), nullable=True))
    # Every existing round gets its own random code.
    bind = op.get_bind()
    round_ = sa.table('round', sa.column('id'), sa.column('short_code'))
    taken = set()
    for (round_id,) in bind.execute(sa.select(round_.c.id)).all():
        code = None
        while code is None or code in taken:
            code = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
        taken.add(code)
        bind.execute(round_.update().where(round_.c.id == round_id).values(short_code=code))
    with op.batch_alter_table('round', schema=None) as batch_op:
        batch_op.alter_column('short_code', existing_type=sa.String(length=8), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_round_short_code'), ['short_code'])


def downgrade():
    with op.batch_alter_table('round', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_round_short_code'), type_='unique')
        batch_op.drop_column('short_code')
