"""The access log: an append-only record of who saw or changed personal data (`record_access`).

Only the retention purge (`retention.py`) deletes rows, once they are past their period.
"""
