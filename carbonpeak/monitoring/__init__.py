"""Online energy monitoring of key energy-using units (重点用能单位能耗在线监测), issue #15.

The parts, each a module of its own:

* :mod:`.readings`: the reading model: a reading is keyed by (meter, interval start in UTC); the time
  label is the start of the period (the national upload rule, anchors-next §1.2);
* :mod:`.store`: the idempotent reading store, embedded (a DuckDB file) or shared (PostgreSQL);
* :mod:`.rollups`: hour, day and month totals at local-midnight boundaries, in SQL run by DuckDB or Spark;
* :mod:`.quality`: the data-quality indices the provincial platforms score, and the composite index;
* :mod:`.dialect`: the few spellings in which DuckDB and Spark SQL differ (the queries are written once);
* :mod:`.layout`: the Parquet layout the analyses read (readings by month, meters, replacements, arrivals);
* :mod:`.spark`, :mod:`.spark_job`: the same analyses on Apache Spark (optional: ``.[spark]``, Java 17);
* :mod:`.payload`: our JSON payload and the registry of decoders (a GB/T 37947 decoder can be added
  once its text is available: its fields are not invented here);
* :mod:`.mqtt`: the MQTT subscriber (QoS 1, acknowledged after commit) and publisher;
* :mod:`.simulate`: a field-like simulator of a province's meters.

Meters themselves are registry records (:mod:`carbonpeak.store.meters`, managed through
:mod:`carbonpeak.services.monitoring`). This package imports nothing above the domain layer.
"""
