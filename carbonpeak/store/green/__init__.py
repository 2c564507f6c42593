"""The green-manufacturing register: dated designations and the annual dynamic-management filings."""
