"""Server-rendered web shells: the public site and the officer console."""
