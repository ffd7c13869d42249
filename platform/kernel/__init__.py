"""The kernel: what every feature stands on and nothing above it may change.

The database and tenancy (`db`), the directory's records (`directory`: districts,
agencies, officers), the caller's identity and the permission table
(`identity`, `permissions`), domain errors (`errors`), the audit trail (`audit`), the blob
store port (`blobs`), the clock and time zone (`clock`), settings (`config`) and logging
(`logs`). The kernel imports no feature, no shell and no web framework except where a
module says why (the logging filter reads the request id)."""
