"""Run the CLI as ``python -m harmonizer``."""

from harmonizer.cli import main

main()
