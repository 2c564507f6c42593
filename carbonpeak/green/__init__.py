"""Green manufacturing: the register of green factories, parks and supply-chain enterprises by year, the annual
dynamic management (filing state, 企业绿码 grades) and GB/T 36132-2025 gaps. Pure functions over plain data."""
