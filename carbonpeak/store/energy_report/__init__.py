"""Stored energy-utilisation reports: the enterprise's versions of what it completes, and their review."""
