"""one head again: the power-list columns (0005) and required actions (0007) branched
while the one door was built; this revision joins them with the clues (0013) so every
later revision has a single parent

Revision ID: 20261122_0014
Revises: 20261122_0005, 20261122_0007, 20261122_0013
Create Date: 2026-11-22 21:05:00
"""

revision = "20261122_0014"
down_revision = ("20261122_0005", "20261122_0007", "20261122_0013")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
