"""``python -m tm`` runs the CLI."""

from tm.cli import main

main()
