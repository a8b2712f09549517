"""Apache Spark as a SQLAlchemy database: everything that reads through
SQLAlchemy (db.py, reading.py, sources/pushdown.py) reads Spark unchanged.

- session.py: the one SparkSession of this process (pyspark, in process),
  its warehouse a folder of Parquet tables, its work done in this process,
  by local executor processes or by a standalone cluster's workers; or a
  session of a Spark Connect server, which keeps the tables;
- dbapi.py: a DB-API 2.0 module over either kind (named parameters go to
  `spark.sql(sql, args=...)`, results come back through Arrow);
- dialect.py: the SQLAlchemy dialect `spark` over that module, registered
  for `spark+local:///ABS/PATH/warehouse?database=NAME[&master=...]` and
  `spark://HOST:7077?warehouse=/ABS/PATH&database=NAME` (a standalone
  cluster; the driver stays in this process) and
  `sc://HOST:15002?database=NAME` (Spark Connect, Databricks Connect);
- catalog.py: the contract's tables a database holds: a warehouse
  folder's registered with this process's catalog, whoever wrote them, and
  what a database loaded by other means lacks of the contract, named;
- load.py: `purpose-metrics init` / `import FOLDER` on Spark: the files
  validated as on every engine, then written as the warehouse's tables;
- history.py: the customers' order history Spark keeps (built after an
  import and on `purpose-metrics refresh`), read by pushdown when current.

Spark is read in pushdown mode: the fact SQL is rendered for PostgreSQL and
carried to Spark SQL by sqlglot (transpile.py). pyspark is imported only
when a Spark URL is used.
"""

from __future__ import annotations

from sqlalchemy.engine import Connection, Engine

DIALECT = "spark"


def is_spark(engine: Engine | Connection) -> bool:
    return engine.dialect.name == DIALECT
