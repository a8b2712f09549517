"""Apache Spark as a SQLAlchemy database: everything that reads through
SQLAlchemy (db.py, reading.py, sources/pushdown.py) reads Spark unchanged.

- session.py: the one SparkSession of this process (pyspark, in process),
  its warehouse a folder of Parquet tables;
- dbapi.py: a DB-API 2.0 module over it (named parameters go to
  `spark.sql(sql, args=...)`, results come back through Arrow);
- dialect.py: the SQLAlchemy dialect `spark` over that module, registered
  for `spark+local:///ABS/PATH/warehouse?database=NAME[&master=...]`;
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
