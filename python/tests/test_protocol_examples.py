"""The protocol examples seedgate::protocol's tests also read (tests/data/protocol-examples.json).

Each example's expected output is what the C++ library gives for the same
input, so passing here means the package writes the same bytes: records,
json_number, json_string, settings from the environment and predictions files.
"""
from __future__ import annotations

import json
import os
from typing import Any, Dict, List, Tuple

import pytest

import seedgate

EXAMPLES = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, os.pardir, "tests", "data",
                        "protocol-examples.json")


def _load() -> Dict[str, Any]:
    with open(EXAMPLES, encoding="utf-8") as handle:
        return json.load(handle)


_EXAMPLES = _load()


def _cases(section: str) -> List[Any]:
    """The section's examples, each its own test id (section-index-call)."""
    params = []
    for index, example in enumerate(_EXAMPLES.get(section, [])):
        label = example.get("call") if isinstance(example, dict) else None
        ident = f"{section}-{index}" + (f"-{label}" if label else "")
        params.append(pytest.param(example, id=ident))
    return params


def _pairs(values: List[List[str]]) -> List[Tuple[str, float]]:
    return [(name, float(number)) for name, number in values]


def test_every_section_has_examples() -> None:
    assert "about" in _EXAMPLES
    for section in ("records", "numbers", "strings", "settings", "predictions"):
        assert len(_EXAMPLES.get(section, [])) >= 10, section


@pytest.mark.parametrize("example", _cases("records"))
def test_record_is_the_line_the_writer_appends(example: Dict[str, Any], tmp_path) -> None:
    path = tmp_path / "metrics.jsonl"
    writer = seedgate.Writer(str(path))
    try:
        call = example["call"]
        if call == "metrics":
            writer.metrics(_pairs(example["values"]), example["step"])
        elif call == "artifact":
            writer.artifact(example["name"], example["digest"])
        elif call == "event":
            writer.event(example["name"], example["message"])
        elif call == "environment":
            writer.environment(example["values"])  # in the file's order, which is not sorted
        elif call == "importance":
            writer.importance(example["kind"], _pairs(example["values"]))
        else:
            pytest.fail(f"unknown call {call!r}")
    finally:
        writer.close()
    assert path.read_bytes() == (example["line"] + "\n").encode("utf-8")


@pytest.mark.parametrize("example", _cases("numbers"))
def test_json_number(example: Dict[str, str]) -> None:
    assert seedgate.json_number(float(example["value"])) == example["json"]


@pytest.mark.parametrize("example", _cases("strings"))
def test_json_string(example: Dict[str, str]) -> None:
    assert seedgate.json_string(example["text"]) == example["json"]


@pytest.mark.parametrize("example", _cases("settings"))
def test_settings_from_environment(example: Dict[str, Any]) -> None:
    environment = example["environment"]
    if "error" in example:
        with pytest.raises(seedgate.ConfigurationError) as raised:
            seedgate.settings_from_environment(environment)
        assert str(raised.value) == example["error"]
        return
    expect = example["expect"]
    settings = seedgate.settings_from_environment(environment)
    assert settings.seed == expect["seed"]
    assert dict(settings.sources) == expect["sources"]
    for source in seedgate.SOURCES:
        assert settings.has_own_seed(source) == (source in expect["sources"])
        assert settings.seed_for(source) == expect["sources"].get(source, expect["seed"])
    assert settings.deterministic is expect["deterministic"]
    assert settings.device == expect["device"]
    assert settings.threads == expect["threads"]
    assert settings.repeat == expect["repeat"]
    assert settings.run_dir == expect["run_dir"]
    assert settings.metrics_path == expect["metrics_path"]
    assert settings.predictions_path == expect["predictions_path"]
    assert settings.under_seedgate is expect["under_seedgate"]


def _write(example: Dict[str, Any], path: str) -> None:
    call = example["call"]
    options: Dict[str, Any] = {"format": example["format"]}
    if "ids" in example:
        options["ids"] = example["ids"]
    if call == "write_probabilities":
        seedgate.write_probabilities(path, example["labels"], [float(p) for p in example["probabilities"]],
                                     example["classes"], **options)
    elif call == "write_classes":
        seedgate.write_classes(path, example["labels"], example["predicted"], **options)
    elif call == "write_values":
        seedgate.write_values(path, [float(t) for t in example["targets"]], [float(v) for v in example["values"]],
                              **options)
    else:
        pytest.fail(f"unknown call {call!r}")


@pytest.mark.parametrize("example", _cases("predictions"))
def test_predictions_file(example: Dict[str, Any], tmp_path) -> None:
    path = "" if example.get("empty_path") else str(tmp_path / "predictions")
    if "error" in example:
        with pytest.raises(ValueError) as raised:
            _write(example, path)
        assert str(raised.value) == example["error"].replace("{path}", path)
        assert not os.listdir(tmp_path), "an argument error wrote a file"
        return
    _write(example, path)
    with open(path, "rb") as handle:
        assert handle.read().hex() == example["hex"]
    assert os.listdir(tmp_path) == ["predictions"]
