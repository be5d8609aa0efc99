"""Paths and seed data shared by the tests."""
from __future__ import annotations

from pathlib import Path

from cleaner.batch.files import read_manifest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
GOLDEN = ROOT / "golden"
RULES = ROOT / "rules"
SEED_URLS = read_manifest(SEEDS / "urls.tsv")


def seed_bytes(name: str) -> bytes:
    return (SEEDS / name).read_bytes()


# A user's own site file and a capture of its site, for the configuration and
# pre-commit tests: the rule removes the site's footer; the shipped generic rules
# still remove "Skip to main content".
USER_SITE = "example.org"
USER_SITE_RULES = f'''schema = 1
description = "{USER_SITE}: its own footer"

[match]
domains = ["{USER_SITE}"]

[[rule]]
id = "{USER_SITE}:footer"
category = "legal"
action = "drop-line"
lines = ["Example Org footer line"]

  [[rule.test]]
  name = "drops-footer"
  input = "Body.\\nExample Org footer line"
  expect = "Body."
'''
USER_SITE_CAPTURE = ("Skip to main content\n\nCouncil backs new park\n\n"
                     "The council voted on Tuesday to expand the park by two hectares.\n\n"
                     "Example Org footer line\n")
