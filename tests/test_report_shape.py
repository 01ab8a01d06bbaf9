"""The shapes validation speaks: Violation, Report and ModelInfo are named tuples."""

from __future__ import annotations

import apimart
import pytest


def test_violation_is_an_immutable_named_tuple() -> None:
    violation = apimart.Violation("/duration", "wan2.6/duration-enum", "bad")
    assert violation == ("/duration", "wan2.6/duration-enum", "bad")
    assert violation._fields == ("path", "rule", "message")
    assert violation.to_dict() == {
        "path": "/duration",
        "rule": "wan2.6/duration-enum",
        "message": "bad",
    }
    assert violation._replace(message="worse").message == "worse"
    with pytest.raises(AttributeError):
        violation.path = "/x"  # type: ignore[misc]
    assert hash(violation) == hash(("/duration", "wan2.6/duration-enum", "bad"))


def test_report_keeps_its_defaults_and_its_verdict() -> None:
    assert apimart.Report("wan2.6") == ("wan2.6", (), ())
    report = apimart.validate({"model": "wan2.6", "prompt": "p", "duration": 7})
    assert isinstance(report, tuple) and report._fields == ("model", "errors", "warnings")
    assert not report.valid
    assert [v.rule for v in report.errors] == ["wan2.6/duration-enum"]
    assert report.to_dict()["errors"] == [v.to_dict() for v in report.errors]
    with pytest.raises(apimart.ValidationError):
        report.raise_for_errors()


def test_model_info_is_a_named_tuple() -> None:
    info = apimart.MODELS["wan2.6"]
    assert isinstance(info, tuple) and info.name == "wan2.6"
    assert info.validator is apimart.validate_wan2_6


def test_violations_come_in_the_spec_rule_order() -> None:
    # the validator checks aspect_ratio's rules together (the mode rule first, untyped), the
    # spec lists the enum first: the report follows the spec
    body = {"model": "wan2.6", "image_urls": ["https://x.test/a.png"], "aspect_ratio": "2:1"}
    rules = [v.rule for v in apimart.validate(body).errors]
    assert rules == ["wan2.6/aspect_ratio-enum", "wan2.6/aspect-ratio-image-to-video"]
