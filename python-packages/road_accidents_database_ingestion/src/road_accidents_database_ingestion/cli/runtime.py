"""What every command needs: settings read once, with a readable error when they are wrong."""

from __future__ import annotations

import re
from functools import cache

import typer
from pydantic import ValidationError

from road_accidents_database_ingestion.readers.layouts import FIRST_YEAR
from road_accidents_database_ingestion.settings import GlsSettings, env_file


@cache
def load_settings() -> GlsSettings:
    """The settings, or an exit with one line per invalid or missing variable."""
    try:
        return GlsSettings()
    except ValidationError as error:
        problems = "\n".join(
            f"  {'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors()
        )
        typer.secho(
            f"invalid settings (environment and {env_file()}):\n{problems}", err=True, fg="red"
        )
        raise typer.Exit(2) from error


_RANGE = re.compile(r"^(\d{4})(?:\s*-\s*(\d{4}))?$")


def parse_years(text: str) -> list[int]:
    """Years from ranges and comma lists: `2005-2023`, `2019,2021`, `2005-2010,2015`."""
    years: set[int] = set()
    for part in filter(None, (p.strip() for p in text.split(","))):
        found = _RANGE.match(part)
        if not found:
            raise ValueError(f"{part!r} is neither a year nor a range like 2005-2023")
        first = int(found.group(1))
        last = int(found.group(2) or first)
        if last < first:
            raise ValueError(f"{part!r} ends before it starts")
        if first < FIRST_YEAR:
            raise ValueError(f"BAAC files start in {FIRST_YEAR}, not {first}")
        years.update(range(first, last + 1))
    return sorted(years)
