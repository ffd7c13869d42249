"""Compulsory measures (查封、扣押, 行政强制法 第三章) and evidence registered and preserved (处罚法 第五十六条)."""
