"""The administrative audit trail: who changed what, when, before and after."""
