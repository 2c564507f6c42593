"""The product carbon footprint database: footprints per product, facility and year, their versions
and the upstream supplies (supplier-declared footprints with evidence, or a supplier facility)."""
