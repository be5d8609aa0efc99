"""The engine: one capture in, a Cleaned out (extraction, rules, the generic stage)."""
