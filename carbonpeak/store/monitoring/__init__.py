"""The registry tables of online energy monitoring (meters and their replacements); readings themselves
live in the reading store (:mod:`carbonpeak.monitoring.store`)."""
