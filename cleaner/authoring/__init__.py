"""Rule authoring and repository checks: learning and drafting rules, goldens, lint, health."""
