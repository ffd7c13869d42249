"""API conventions: the flask-smorest Api, problem+json errors, paging."""
