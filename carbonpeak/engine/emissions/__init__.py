"""Emission calculations, one module per method family."""
