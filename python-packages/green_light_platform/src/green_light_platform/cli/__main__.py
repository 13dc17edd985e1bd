"""`python -m green_light_platform.cli` is `gls`."""

from green_light_platform.cli.app import main

main()
