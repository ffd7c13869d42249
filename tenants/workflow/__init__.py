"""Shared workflow configuration: versioned procedure definitions with district and
agency overrides that may add steps but never remove or weaken a statutory one."""
