"""A ministry's vertical case system (market regulation, REST): the connector that pulls
its cases by cursor, and a runnable simulator of it."""
