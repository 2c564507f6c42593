"""A small run of the import benchmark (make bench runs 100,000 rows): both contenders import every row,
each in its own process and fresh database, and carbonpeak's import writes versions, facts and results."""

from __future__ import annotations

from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


def test_import_benchmark_small(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(BENCHMARKS))  # the spawned children import the benchmark module by name
    import bench_import

    out = tmp_path / "import.md"
    results = bench_import.run(300, ["sqlite"], ["CSV", "Excel"], out)
    assert {(r["input"], r["what"]) for r in results} == {
        ("CSV", "carbonpeak"),
        ("CSV", "pandas"),
        ("Excel", "carbonpeak"),
        ("Excel", "pandas"),
    }
    assert all(r["rows"] == 300 and r["seconds"] > 0 and r["peak_mib"] > 0 for r in results)
    table = out.read_text(encoding="utf-8")
    assert "| CSV | sqlite | carbonpeak import" in table and "FAILED" not in table
