"""TagPack and CSV exports: tagpack-tool validates the TagPack, the CSV reads back unchanged."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from nachtwacht.moneyflows import (
    CSV_COLUMNS,
    ExportFormatError,
    NothingToExport,
    attributions,
    build_flows,
    read_csv,
    to_csv,
    write_export,
)
from tests.moneyflows.docs import BTC1, corpus

TAGPACK_TOOL = Path(sys.executable).parent / "tagpack-tool"


def _validate(path: Path) -> subprocess.CompletedProcess[str]:
    if not TAGPACK_TOOL.exists():
        pytest.skip("tagpack-tool is not installed (pip install -e '.[dev]' installs it)")
    return subprocess.run([str(TAGPACK_TOOL), "tagpack", "validate", str(path)], capture_output=True, text=True,
                          timeout=120, cwd=path.parent)


def test_csv_round_trips_with_tlp(tmp_path):
    flows = build_flows(corpus())
    out = tmp_path / "wallets.csv"
    count = write_export(flows, out, fmt="csv", tlp="TLP:AMBER")
    rows = read_csv(out.read_text(encoding="utf-8"))
    assert rows == attributions(flows, "amber") and len(rows) == count
    assert out.read_text().splitlines()[0] == ",".join(CSV_COLUMNS)
    assert {r.tlp for r in rows} == {"amber"}
    first = next(r for r in rows if r.address == BTC1 and r.market == "alpha")
    assert (first.vendor, first.chain, first.first_seen[:10], first.last_seen[:10]) == \
        ("kadekoning", "btc", "2026-01-05", "2026-03-01")
    assert first.evidence.startswith("crawl-2026-01-05.warc.gz#")
    assert to_csv(rows) == out.read_text()


def test_csv_with_other_columns_is_refused():
    with pytest.raises(ExportFormatError, match="CSV columns"):
        read_csv("address,chain\nx,btc\n")


def test_tagpack_passes_tagpack_tool(tmp_path):
    out = tmp_path / "nachtwacht.yaml"
    count = write_export(build_flows(corpus()), out, fmt="tagpack", tlp="red", creator="Unit X")
    pack = yaml.safe_load(out.read_text())
    assert "TLP:RED" in pack["title"] and pack["description"].startswith("TLP:RED")
    assert len(pack["tags"]) == count
    assert all('"tlp": "red"' in t["context"] for t in pack["tags"])
    proc = _validate(out)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "1/1 TagPacks passed" in proc.stdout


def test_tagpack_tool_can_fail(tmp_path):
    """The validation above can fail: a tag without its mandatory currency is refused."""
    out = tmp_path / "broken.yaml"
    write_export(build_flows(corpus()), out, fmt="tagpack", tlp="amber")
    pack = yaml.safe_load(out.read_text())
    del pack["tags"][0]["currency"]
    out.write_text(yaml.safe_dump(pack, sort_keys=False))
    proc = _validate(out)
    assert proc.returncode != 0 and "currency" in proc.stdout


def test_tlp_and_format_are_checked(tmp_path):
    flows = build_flows(corpus())
    with pytest.raises(ExportFormatError, match="TLP"):
        write_export(flows, tmp_path / "x.csv", fmt="csv", tlp="purple")
    with pytest.raises(ExportFormatError, match="format"):
        write_export(flows, tmp_path / "x.json", fmt="json", tlp="amber")
    with pytest.raises(NothingToExport):
        write_export(build_flows([]), tmp_path / "x.csv", fmt="csv", tlp="amber")
