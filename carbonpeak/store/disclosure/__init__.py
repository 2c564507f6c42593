"""What disclosure adds to the store: the enterprise's allowance-surrender statements and the regulators'
flags of enterprises obliged to disclose (schema from migration ``0021_disclosure``), and the reads of
the stored results' parts (fuel, process, PFC, electricity, heat) the disclosed figures are made of."""
