"""Recycled aluminium and copper: the scrap intake ledger's rules over plain data (no database)."""
