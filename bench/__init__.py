"""Chain-scale benchmark of Zhilian OS: `python -m bench` (see bench/README.md)."""
