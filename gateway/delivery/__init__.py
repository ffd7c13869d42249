"""Routing and delivery: integration events fanned out to the connectors a district has
turned on, and delivered in order, exactly once in effect, whatever the upstream does."""
