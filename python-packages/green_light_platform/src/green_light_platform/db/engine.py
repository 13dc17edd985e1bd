"""Connections to the RoadAccidents database."""

from __future__ import annotations

from contextlib import contextmanager
from typing import TYPE_CHECKING

import psycopg
from sqlalchemy import Engine, create_engine

from green_light_platform.settings import to_libpq_url, to_sqlalchemy_url

if TYPE_CHECKING:
    from collections.abc import Iterator


def make_engine(url: str, **kwargs: object) -> Engine:
    """A SQLAlchemy engine on the psycopg 3 driver; `pool_pre_ping` survives server restarts."""
    return create_engine(to_sqlalchemy_url(url), pool_pre_ping=True, **kwargs)


@contextmanager
def connect(url: str, *, autocommit: bool = False) -> Iterator[psycopg.Connection]:
    """A raw psycopg connection, for COPY and other bulk work SQLAlchemy would slow down."""
    with psycopg.connect(to_libpq_url(url), autocommit=autocommit) as conn:
        yield conn
