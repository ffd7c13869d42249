"""Audit trail of who did what: the kernel writes it, shells read it."""
