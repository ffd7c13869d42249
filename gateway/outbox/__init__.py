"""The transactional outbox: messages written with the change, delivered after commit."""
