"""The `trends` Typer command on a real embedded index (JSON and table output)."""

from __future__ import annotations

import json

import typer
from typer.testing import CliRunner

from indexer import get_backend
from nachtwacht.commands.trends import trends
from tests.indexer.corpus import corpus


def _app() -> typer.Typer:
    app = typer.Typer()
    app.command("trends")(trends)
    app.command("noop")(lambda: None)  # two commands: keep the subcommand name in argv
    return app


def test_trends_command_json_and_table(tmp_path):
    backend = get_backend({"data_dir": str(tmp_path)})
    backend.upsert(corpus())
    backend.close()
    runner = CliRunner()
    res = runner.invoke(_app(), ["trends", "--data-dir", str(tmp_path), "--by", "market", "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert {s["key"]: s["total"] for s in data["series"]} == {"alpha": 8, "beta": 2, "gamma": 1, "delta": 1}
    res = runner.invoke(_app(), ["trends", "--data-dir", str(tmp_path), "--new-vendors"])
    assert res.exit_code == 0 and "2025-02" in res.output
    res = runner.invoke(_app(), ["trends", "--data-dir", str(tmp_path), "--by", "colour"])
    assert res.exit_code != 0 and "trends by 'colour'" in str(res.exception)
