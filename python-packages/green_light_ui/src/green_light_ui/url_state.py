"""Filters that live in the page's URL, so any view can be bookmarked and shared.

A widget's value starts from its query parameter (or its default), and every change is
written back: `?place=commune:59350&years=2019-2023`. One reset puts every filter of the
page back to its default and clears the URL. A value the page cannot use (a code no
longer listed, a malformed number) falls back to the default, and the page says so.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import streamlit as st

if TYPE_CHECKING:
    from collections.abc import Callable


def bound(
    widget: Callable[..., Any],
    label: str,
    *,
    key: str,
    default: Any,
    parse: Callable[[list[str]], Any],
    dump: Callable[[Any], str | list[str]],
    valid: Callable[[Any], bool] = lambda _: True,
    **options: Any,
) -> Any:
    """`widget(label, key=key, **options)` whose value is the URL's `key` parameter."""
    raw = st.query_params.get_all(key)
    written = f"_url_{key}"
    # Seed from the URL on a fresh session, and when the URL changed under the page.
    if key not in st.session_state or (raw and raw != st.session_state.get(written)):
        try:
            value = parse(raw) if raw else default
            usable = valid(value)
        except (ValueError, TypeError, KeyError):
            usable = False
        if not usable:
            shown = ",".join(raw)
            st.warning(f"The link's `{key}={shown}` is not a usable {label.lower()}: ignored.")
        st.session_state[key] = value if usable else default
    value = widget(label, key=key, **options)
    if value == default or value is None:
        st.query_params.pop(key, None)
    else:
        st.query_params[key] = dump(value)
    st.session_state[written] = st.query_params.get_all(key)
    return value


def pick(label: str, key: str, names: dict[str, str], placeholder: str) -> str | None:
    """A search-as-you-type pick among `names` (value -> label), kept in the URL's `key`;
    None until something is picked, or when the URL names what is not offered."""
    return bound(
        st.selectbox,
        label,
        key=key,
        default=None,
        parse=one(str),
        dump=str,
        valid=lambda value: value is None or value in names,
        options=list(names),
        index=None,
        format_func=names.__getitem__,
        placeholder=placeholder,
    )


def one(kind: Callable[[str], Any]) -> Callable[[list[str]], Any]:
    """Parse a single-valued parameter."""
    return lambda raw: kind(raw[-1])


def many(kind: Callable[[str], Any]) -> Callable[[list[str]], Any]:
    """Parse a repeated or comma-separated parameter into a list."""
    return lambda raw: [kind(part) for value in raw for part in value.split(",") if part]


def year_range(raw: list[str]) -> tuple[int, int]:
    first, last = raw[-1].split("-")
    return int(first), int(last)


def reset_button(defaults: dict[str, Any]) -> None:
    """One button putting every filter of the page back to its default (and off the URL)."""

    def reset() -> None:
        for key, value in defaults.items():
            st.session_state[key] = value
        st.query_params.clear()

    st.sidebar.button("Reset filters", on_click=reset, key="reset", icon=":material/restart_alt:")
