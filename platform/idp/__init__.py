"""The built-in OpenID Connect provider: one issuer per district at /oidc/<slug>."""
