"""Cases (案件): the statutory procedure from filing to archive."""
