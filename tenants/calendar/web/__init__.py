"""HTTP views and pages of the feature (the shell ring; see yimen.platform.kernel.feature)."""
