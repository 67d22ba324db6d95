"""The access log: an append-only record of who saw or changed personal data (`record_access`)."""
