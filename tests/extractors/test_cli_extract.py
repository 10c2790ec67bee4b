"""`nachtwacht extract` through the real CLI (subprocess): JSON Lines, workers, errors."""

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

PAGE = """<html><body><h2>Oxycontin 40mg x 10</h2><div>Sold by PurePharm</div>
<div>Price: USD 50.17</div></body></html>"""


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "nachtwacht", "extract", *args], capture_output=True,
                          text=True, timeout=300, cwd=REPO)


def test_html_files_stream_one_object_each_and_report_unreadable(tmp_path):
    page = tmp_path / "p.html"
    page.write_text(PAGE)
    proc = _run(str(page), str(tmp_path / "missing.html"), "--format", "html", "--json")
    assert proc.returncode == 1
    objs = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [o["source"] for o in objs] == [str(page)]
    assert objs[0]["listings"][0]["vendor"] == "PurePharm"
    assert "missing.html" in proc.stderr and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_text_records_with_two_workers_keep_order(tmp_path):
    batch = tmp_path / "b.jsonl"
    records = [{"id": f"r{i}", "text": f"Purchase price: USD {i + 1}.00"} for i in range(30)]
    batch.write_text("\n".join(json.dumps(r) for r in records) + "\nnot json\n")
    proc = _run(str(batch), "--format", "text", "--json", "--workers", "2")
    objs = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [o["source"] for o in objs] == [r["id"] for r in records]
    assert [o["listings"][0]["price"]["amount"] for o in objs] == [float(i + 1) for i in range(30)]
    assert proc.returncode == 1 and "b.jsonl:31" in proc.stderr


def test_human_output_is_one_line_per_input(tmp_path):
    page = tmp_path / "p.html"
    page.write_text(PAGE)
    proc = _run(str(page))
    assert proc.returncode == 0
    assert proc.stdout.count("\n") == 1 and "PurePharm" in proc.stdout
