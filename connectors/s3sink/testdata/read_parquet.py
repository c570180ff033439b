"""Independent reader for ferry's S3 sink tests: prints each Parquet file
given as an argument as one JSON line {"file", "schema", "rows": [...]},
read with pyarrow (not with the library the sink writes with)."""
import decimal
import json
import sys

import pyarrow.parquet as pq


def plain(v):
    if hasattr(v, "isoformat"):
        return v.isoformat()
    if isinstance(v, bytes):
        return v.hex()
    if isinstance(v, decimal.Decimal):
        return str(v)
    if isinstance(v, dict):
        return {k: plain(x) for k, x in v.items()}
    if isinstance(v, list):
        return [plain(x) for x in v]
    if isinstance(v, tuple):
        return [plain(x) for x in v]
    return v


for path in sys.argv[1:]:
    table = pq.read_table(path)
    meta = pq.ParquetFile(path).metadata
    rows = [{k: plain(v) for k, v in r.items()} for r in table.to_pylist()]
    codec = meta.row_group(0).column(0).compression if meta.num_row_groups else ""
    print(json.dumps({"file": path, "schema": str(table.schema), "codec": codec, "rows": rows}))
