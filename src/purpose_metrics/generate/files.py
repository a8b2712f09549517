"""One file per table, written chunk by chunk: CSV (the header once) or
Parquet (zstd), with the contract's column order and types."""

from __future__ import annotations

from pathlib import Path
from typing import IO

import polars as pl

from ..contract import Table


def _arrow_schema(table: Table):
    import pyarrow as pa

    types = {
        "id": pa.int64(),
        "int": pa.int64(),
        "text": pa.string(),
        "num": pa.float64(),
        "bool": pa.bool_(),
        "date": pa.date32(),
        "ts": pa.timestamp("us"),
    }
    return pa.schema([pa.field(c.name, types[c.type], nullable=c.nullable) for c in table.columns])


class TableWriter:
    """Appends frames to one table's file; `rows` counts what was written."""

    def __init__(self, out_dir: Path, table: Table, fmt: str) -> None:
        self.table = table
        self.rows = 0
        self.path = out_dir / f"{table.name}.{fmt}"
        self._file: IO[bytes] | None = None
        self._pq = None
        if fmt == "csv":
            self._file = open(self.path, "wb")  # noqa: SIM115 - closed in close()
            self._file.write((",".join(table.column_names) + "\n").encode())
        else:
            import pyarrow.parquet as pq

            self._schema = _arrow_schema(table)
            self._pq = pq.ParquetWriter(self.path, self._schema, compression="zstd")

    def write(self, df: pl.DataFrame) -> None:
        df = df.select([pl.col(c.name).cast(c.dtype) for c in self.table.columns])
        if df.height == 0:
            return
        self.rows += df.height
        if self._file is not None:
            df.write_csv(
                self._file,
                include_header=False,
                datetime_format="%Y-%m-%d %H:%M:%S",
                date_format="%Y-%m-%d",
                null_value="",
                line_terminator="\n",
            )
        else:
            import pyarrow as pa

            arrow = df.to_arrow()
            arrays = [arrow.column(i).cast(f.type) for i, f in enumerate(self._schema)]
            self._pq.write_table(pa.Table.from_arrays(arrays, schema=self._schema))

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
        if self._pq is not None:
            self._pq.close()
