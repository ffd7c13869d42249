"""Identity provisioning: districts, agencies and officers made known to the identity
provider (the built-in one, or Keycloak) by background jobs."""
