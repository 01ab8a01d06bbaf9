"""The YAML reader: locations of every value, duplicate keys, YAML 1.2 scalars."""

from __future__ import annotations

import pytest

from apimart_codegen.spec.yaml_loc import Loc, YamlError, loads, locate


def test_scalars_follow_yaml_1_2_core_schema() -> None:
    data = loads("ratio: 16:9\nword: no\nflag: true\nint: 12\nfloat: 1.5\n", display="x.yaml")
    assert data == {"ratio": "16:9", "word": "no", "flag": True, "int": 12, "float": 1.5}


def test_every_value_knows_its_line_and_column() -> None:
    data = loads("a:\n  b: [1, 2]\n  c:\n    d: x\n", display="f.yaml")
    assert locate(data, ["a", "b", 1]) == Loc("f.yaml", 2, 10)
    assert locate(data, ["a", "c", "d"]) == Loc("f.yaml", 4, 8)
    assert data["a"].key_loc("c") == Loc("f.yaml", 3, 3)
    # A path that goes nowhere falls back to the nearest known place.
    assert locate(data, ["a", "missing", "x"]) == Loc("f.yaml", 2, 3)


def test_duplicate_keys_are_an_error_with_both_lines() -> None:
    with pytest.raises(YamlError) as caught:
        loads("a: 1\nb: 2\na: 3\n", display="dup.yaml")
    assert caught.value.loc == Loc("dup.yaml", 3, 1)
    assert "first at line 1" in caught.value.message


def test_malformed_yaml_names_the_place() -> None:
    with pytest.raises(YamlError) as caught:
        loads("a: [1, 2\nb: 3\n", display="bad.yaml")
    assert caught.value.loc.file == "bad.yaml"
    assert caught.value.loc.line == 2
