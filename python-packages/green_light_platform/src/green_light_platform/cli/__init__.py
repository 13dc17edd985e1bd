"""The `gls` command line (`app.py`), the platform's own commands, and what every command
plugin shares (`runtime.py`); importing this package registers nothing."""
