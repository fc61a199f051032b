"""Finding images in a folder by content: order, recursion, patterns, reasons."""

from __future__ import annotations

import inspect
import os

import pytest

from skindesk.core.batch import ScanFolderError, discover, iter_files
from skindesk.core.batch.discovery import count_files
from tests.core.batchdata import write_bad_files, write_image


def relpaths(found):
    return [f.relpath for f in found]


@pytest.fixture
def tree(tmp_path):
    """b.png, a.jpg, disguised.txt (a PNG), notes.txt, sub/c.jpg, sub/deeper/d.png, .hidden.jpg."""
    write_image(tmp_path / "b.png", 1)
    write_image(tmp_path / "a.jpg", 2)
    write_image(tmp_path / "disguised.txt", 3)
    (tmp_path / "notes.txt").write_text("not an image")
    write_image(tmp_path / "sub" / "c.jpg", 4)
    write_image(tmp_path / "sub" / "deeper" / "d.png", 5)
    write_image(tmp_path / ".hidden.jpg", 6)
    return tmp_path


def test_images_are_found_by_content_not_name(tree):
    found = {f.relpath: f for f in discover(tree)}
    assert found["disguised.txt"].format == "PNG" and found["disguised.txt"].is_image
    assert found["a.jpg"].format == "JPEG" and found["b.png"].format == "PNG"
    assert not found["notes.txt"].is_image
    assert found["notes.txt"].reason == "not an image (unrecognised content)"


def test_a_text_file_named_jpg_is_skipped_with_its_reason(tmp_path):
    (tmp_path / "fake.jpg").write_text("hello")
    (found,) = discover(tmp_path)
    assert not found.is_image and found.named_like_image
    assert found.reason == "not an image (unrecognised content)"


def test_every_kind_of_bad_file_gets_a_reason(tmp_path):
    expected = write_bad_files(tmp_path)
    found = {f.relpath: f for f in discover(tmp_path)}
    assert set(found) == set(expected)
    for name, (_, words) in expected.items():
        if not found[name].is_image:  # truncated and corrupt ones fail only when decoded
            assert words in found[name].reason, name


def test_non_recursive_walk_lists_only_the_top_folder_sorted(tree):
    assert relpaths(iter_files(tree)) == ["a.jpg", "b.png", "disguised.txt", "notes.txt"]


def test_recursive_walk_is_depth_first_in_name_order(tree):
    assert relpaths(iter_files(tree, recursive=True)) == [
        "a.jpg", "b.png", "disguised.txt", "notes.txt", "sub/c.jpg", "sub/deeper/d.png",
    ]  # fmt: skip
    assert count_files(tree, recursive=True) == 6


def test_include_patterns_match_names_case_insensitively_or_relative_paths(tree):
    write_image(tree / "UPPER.JPG", 7)
    assert relpaths(iter_files(tree, recursive=True, include=["*.jpg"])) == [
        "a.jpg", "sub/c.jpg", "UPPER.JPG",
    ]  # fmt: skip
    assert relpaths(iter_files(tree, recursive=True, include=["*.png", "sub/*/*"])) == [
        "b.png", "sub/deeper/d.png",
    ]  # fmt: skip


def test_the_walk_is_lazy(tree):
    walk = iter_files(tree, recursive=True)
    assert inspect.isgenerator(walk)
    assert next(walk).relpath == "a.jpg"


def test_a_folder_link_loop_is_walked_once(tree):
    os.symlink(tree, tree / "sub" / "loop")
    assert relpaths(iter_files(tree, recursive=True))[-2:] == ["sub/c.jpg", "sub/deeper/d.png"]


def test_a_missing_folder_is_a_user_error(tmp_path):
    with pytest.raises(ScanFolderError, match="folder not found"):
        list(iter_files(tmp_path / "nope"))
    write_image(tmp_path / "x.png", 1)
    with pytest.raises(ScanFolderError, match="not a folder"):
        list(iter_files(tmp_path / "x.png"))
