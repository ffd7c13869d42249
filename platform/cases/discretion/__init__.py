"""Discretion (行政裁量权基准): the benchmark applied to the facts, its vocabulary, and how a matter was punished across the district."""
