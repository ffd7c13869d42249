"""The region's working-day calendar: every statutory deadline is counted on it."""
