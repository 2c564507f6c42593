"""The report engine: documents of figures rendered to PDF, Word and Excel in zh-CN and en, with their
data state and provenance, reproducible to the byte (docs/reports.md).

Pure: it takes plain documents and gives bytes; the figures and the store are the use-case layer's
(:mod:`carbonpeak.services.reports`).
"""
