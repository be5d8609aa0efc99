"""The `cleaner` command: the only part of the package that prints or exits."""
from .clean import main

__all__ = ["main"]
