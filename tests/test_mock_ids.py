"""Identifiers: Crockford base32 as the vendor's ids spell it."""

from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from apimart_codegen.mock import _ids


def digit_by_digit(value: int, width: int) -> str:
    """Base32 the long way: one character per five bits, from the right."""
    chars = []
    for _ in range(width):
        value, digit = divmod(value, 32)
        chars.append(_ids.CROCKFORD[digit])
    return "".join(reversed(chars))


@given(
    st.integers(min_value=1, max_value=26).flatmap(
        lambda width: st.tuples(st.just(width), st.integers(0, 32**width - 1))
    )
)
def test_crockford_spells_a_value_as_base32_digits(case: tuple[int, int]) -> None:
    width, value = case
    assert _ids.crockford(value, width) == digit_by_digit(value, width)


@pytest.mark.parametrize(("value", "width"), [(0, 1), (31, 1), (32**10 - 1, 10), (1, 16)])
def test_crockford_at_the_edges(value: int, width: int) -> None:
    assert _ids.crockford(value, width) == digit_by_digit(value, width)


@pytest.mark.parametrize(("value", "width"), [(-1, 4), (32, 1), (32**10, 10)])
def test_crockford_refuses_what_does_not_fit(value: int, width: int) -> None:
    with pytest.raises(ValueError, match="does not fit"):
        _ids.crockford(value, width)


def test_a_task_id_is_the_index_then_a_keyed_hash() -> None:
    task_id = _ids.task_id(5, b"r" * 16)
    assert task_id.startswith("task_0000000005") and len(task_id) == 5 + 26
    assert set(task_id[5:]) <= set(_ids.CROCKFORD)
    assert task_id != _ids.task_id(5, b"s" * 16)
