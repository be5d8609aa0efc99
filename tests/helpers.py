"""Paths and seed data shared by the tests."""
from __future__ import annotations

from pathlib import Path

from cleaner.files import read_manifest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
GOLDEN = ROOT / "golden"
RULES = ROOT / "rules"
SEED_URLS = read_manifest(SEEDS / "urls.tsv")


def seed_bytes(name: str) -> bytes:
    return (SEEDS / name).read_bytes()
