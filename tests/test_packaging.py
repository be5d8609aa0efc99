"""The wheel ships the rules: an installed `cleaner` finds them without a checkout."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from .helpers import ROOT, RULES


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(out),
                    str(ROOT)], check=True, capture_output=True)
    return next(out.glob("cleaner-*.whl"))


def test_wheel_contains_every_rule_file(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {f"cleaner/rules/{p.relative_to(RULES).as_posix()}" for p in RULES.rglob("*.toml")}
    assert shipped and shipped <= names
    assert "cleaner/py.typed" in names
    # the generic stage's weights, read through importlib.resources from cleaner.engine
    assert {"cleaner/engine/data/classifier.json", "cleaner/engine/data/lexicon.json"} <= names


def test_installed_package_loads_its_own_rules(wheel, tmp_path):
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target",
                    str(target), str(wheel)], check=True, capture_output=True)
    probe = ("import json, cleaner, cleaner.engine.rules as r; b = cleaner.load_rules(); "
             "print(json.dumps([str(r.default_rules_dir()), len(b.sites), len(b.generic)]))")
    env = {**os.environ, "PYTHONPATH": str(target)}
    done = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, env=env, check=True,
                          capture_output=True, text=True)
    rules_dir, sites, generic = json.loads(done.stdout)
    assert Path(rules_dir).is_relative_to(target)
    assert sites == len(list((RULES / "sites").glob("*.toml")))
    assert generic == len(list((RULES / "generic").glob("*.toml")))
