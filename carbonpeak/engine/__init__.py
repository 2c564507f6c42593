"""Pure calculation functions: plain numbers or arrays in canonical units in, plain results out.

Nothing here reads a file, a database or a request, and no factor has a default: factors are
arguments, supplied from cited parameters by :mod:`carbonpeak.accounting`.
"""
