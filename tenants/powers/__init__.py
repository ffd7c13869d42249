"""The power list (权责清单): a regional catalog of enforcement matters, adopted by each
district and assigned to exactly one agency at a time."""
