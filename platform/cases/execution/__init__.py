"""Execution of a decision (处罚法 第七十二条、第七十三条; 行政强制法 第四章、第五章)."""
