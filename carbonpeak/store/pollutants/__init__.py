"""The pollutant ledger: SO2, NOx and particulates reported per facility and month (migration ``0022_pollutants``)."""
