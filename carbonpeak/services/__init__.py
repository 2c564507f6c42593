"""The use-case layer: one function per thing a person does.

Each use case takes plain records, the acting person's scope (:class:`carbonpeak.services.access.Principal`)
and, where it calculates, the parameter set; it checks access first, validates, writes in the caller's
one transaction and returns a typed result, or raises a coded error (:mod:`carbonpeak.errors`). The web
pages, ``/api/v1`` and the CLI are thin adapters over it; nothing below imports it
(``tests/test_layers.py``).
"""
