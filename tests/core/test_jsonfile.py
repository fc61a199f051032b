"""write_json_atomic: the target holds either the old or the new document, never half of one."""

from __future__ import annotations

import json
import os

import pytest

from skindesk.core.jsonfile import write_json_atomic


def test_writes_utf8_json_with_a_trailing_newline(tmp_path):
    target = tmp_path / "card.json"
    write_json_atomic(target, {"name": "Naevus – Mélanome", "n": 3})
    text = target.read_text(encoding="utf-8")
    assert text.endswith("}\n")
    assert "Mélanome" in text  # not \u-escaped: cards stay readable in a text editor
    assert json.loads(text) == {"name": "Naevus – Mélanome", "n": 3}
    assert [p.name for p in tmp_path.iterdir()] == ["card.json"]


def test_indent_is_honoured(tmp_path):
    target = tmp_path / "report.json"
    write_json_atomic(target, {"a": [1]}, indent=1)
    assert target.read_text(encoding="utf-8") == '{\n "a": [\n  1\n ]\n}\n'


def test_a_failed_rename_leaves_the_previous_document(tmp_path, monkeypatch):
    target = tmp_path / "state.json"
    write_json_atomic(target, {"state": "running"})

    def refuse(*_args):
        raise OSError("disk went away")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(OSError, match="disk went away"):
        write_json_atomic(target, {"state": "complete"})
    assert json.loads(target.read_text(encoding="utf-8")) == {"state": "running"}


def test_unserialisable_data_does_not_touch_the_target(tmp_path):
    target = tmp_path / "settings.json"
    write_json_atomic(target, {"theme": "flatly"})
    with pytest.raises(TypeError):
        write_json_atomic(target, {"theme": object()})
    assert json.loads(target.read_text(encoding="utf-8")) == {"theme": "flatly"}


def test_default_turns_other_values_into_json_and_indent_none_writes_one_line(tmp_path):
    target = tmp_path / "holdout.json"
    write_json_atomic(target, {"created": tmp_path}, default=str)
    assert json.loads(target.read_text(encoding="utf-8")) == {"created": str(tmp_path)}
    write_json_atomic(target, ["a", "b"], indent=None)
    assert target.read_text(encoding="utf-8") == '["a", "b"]\n'
