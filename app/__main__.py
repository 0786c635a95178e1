"""`python -m app` is the same as the `primas` command."""

from app.cli import main

main()
