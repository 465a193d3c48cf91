"""The chain report (HQ comparison of stores), its chart and its exports (docs/architecture.md,
"Chain report")."""
