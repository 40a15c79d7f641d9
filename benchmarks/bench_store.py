"""Results store: committed rows per second of chaoszoo's SQLite (WAL) store, beside the
alternative it was chosen over (one Parquet part per row, written to a temp name and renamed),
and the time to read everything back as a DataFrame.

Run from the repository root::

    .venv/bin/python benchmarks/bench_store.py [--rows 2000]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import numpy as np


def _row(i: int) -> dict:
    rng = np.random.default_rng(i)
    return {"job_id": f"S{i % 200}|ic{i // 200}|uni-clean|m{i % 9}|default", "system": f"S{i % 200}",
            "model": f"m{i % 9}", "status": "ok", "ic": i // 200, "variant": "uni-clean",
            "metrics": {f"metric{k}": float(v) for k, v in enumerate(rng.random(24))},
            "missing": {}, "curve": {"t": list(np.linspace(0, 3, 20)), "smape": list(rng.random(20))}}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=2000)
    n = ap.parse_args().rows
    import pandas as pd

    from chaoszoo.forecast import get_protocol
    from chaoszoo.forecast.store import ResultsStore, load_results

    rows = [_row(i) for i in range(n)]
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        with ResultsStore(Path(tmp) / "sqlite", get_protocol("short-coarse").settings()) as st:
            for r in rows:
                st.put(r)
        t_sql = time.perf_counter() - t0
        t0 = time.perf_counter()
        df = load_results(Path(tmp) / "sqlite")
        t_read_sql = time.perf_counter() - t0
        assert len(df) == n

        parts = Path(tmp) / "parquet"
        parts.mkdir()
        t0 = time.perf_counter()
        for r in rows:
            flat = {k: v for k, v in r.items() if k not in ("metrics", "curve", "missing")} | r["metrics"]
            fd, name = tempfile.mkstemp(dir=parts, suffix=".tmp")
            os.close(fd)
            pd.DataFrame([flat]).to_parquet(name, index=False)
            with open(name, "rb") as f:
                os.fsync(f.fileno())
            os.replace(name, parts / f"{abs(hash(r['job_id']))}.parquet")
        t_pq = time.perf_counter() - t0
        t0 = time.perf_counter()
        back = pd.read_parquet(parts)
        t_read_pq = time.perf_counter() - t0
        assert len(back) == n

    print(f"{n} rows")
    print(f"chaoszoo SQLite WAL store : {n / t_sql:8.0f} rows/s written, read back in {t_read_sql:.2f} s")
    print(f"Parquet part per row      : {n / t_pq:8.0f} rows/s written, read back in {t_read_pq:.2f} s "
          f"({n} files)")
    print(f"ratio (write)             : {t_pq / t_sql:.1f}x")


if __name__ == "__main__":
    main()
