"""Stored reports: each made report with its data state, its files and their hashes (migration 0016_reports)."""
