"""`python -m nachtwacht` runs the CLI."""

from nachtwacht.cli import main

main()
