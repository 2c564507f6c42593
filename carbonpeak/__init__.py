"""carbonpeak: carbon accounting, benchmarking and carbon-peak tracking for China's non-ferrous metals."""

__version__ = "0.1.0"
