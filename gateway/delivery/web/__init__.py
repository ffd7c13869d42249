"""The gateway's HTTP API for the district administrator."""
