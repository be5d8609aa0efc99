"""The `cleaner` command: the only part of the package that prints or exits."""
from .parser import main

__all__ = ["main"]
