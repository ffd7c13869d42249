"""Districts (tenants), agencies, units and officers."""
