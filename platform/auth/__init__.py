"""Who is calling: token validation (resource server), identity and permissions."""
