"""Reading evaluation datasets and mapping their labels onto a model's classes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from skindesk.core.evaluation.dataset import DatasetError, load_dataset
from skindesk.core.evaluation.labelmap import (
    LabelMapError,
    LabelTarget,
    infer_label_map,
    parse_label_map,
)
from skindesk.core.modelcard import parse_card

JPEG_HEADER = b"\xff\xd8\xff\xe0" + b"\0" * 16  # content does not matter here


def card_with_classes(*classes: tuple[str, bool]):
    data = {
        "id": "m", "file": "model.keras", "sha256": "0" * 64,
        "input": {"size": [32, 32], "preprocessing": "none"},
        "classes": [{"id": c, "malignant": m} for c, m in classes],
    }
    if len(classes) == 2:
        data["output"] = "softmax"
    return parse_card(data, Path("/nowhere"))


SEVEN_CLASS = card_with_classes(("akiec", True), ("bcc", True), ("bkl", False), ("df", False),
                                ("mel", True), ("nv", False), ("vasc", False))
BINARY = card_with_classes(("benign", False), ("malignant", True))


def touch(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(JPEG_HEADER)
    return path


def test_folder_per_class(tmp_path):
    for name in ("benign/a.jpg", "benign/sub/b.png", "malignant/c.jpg", "malignant/notes.txt"):
        touch(tmp_path / name)
    dataset = load_dataset(tmp_path)
    assert dataset.label_counts() == {"benign": 2, "malignant": 1}
    assert not dataset.has_lesions


def test_ham_metadata_csv_resolves_images_not_masks(tmp_path):
    touch(tmp_path / "images" / "mel" / "ISIC_1.jpg")
    touch(tmp_path / "images" / "nv" / "ISIC_2.jpg")
    touch(tmp_path / "masks" / "ISIC_1.png")
    (tmp_path / "metadata.csv").write_text(
        "lesion_id,image_id,dx,dx_type\nHAM_1,ISIC_1,mel,histo\nHAM_2,ISIC_2,nv,histo\n"
        "HAM_3,ISIC_3,nv,histo\n")
    dataset = load_dataset(tmp_path / "metadata.csv")
    assert [Path(i.path).relative_to(tmp_path).as_posix() for i in dataset.images] == [
        "images/mel/ISIC_1.jpg", "images/nv/ISIC_2.jpg"]
    assert [i.lesion_id for i in dataset.images] == ["HAM_1", "HAM_2"] and dataset.has_lesions
    assert dataset.missing == [{"path": "ISIC_3", "error": "image file not found"}]


def test_isic_labels_csv_split_filter(tmp_path):
    for i in range(4):
        touch(tmp_path / "images" / "nv" / f"ISIC_{i}.jpg")
    (tmp_path / "labels.csv").write_text(
        "image_id,dx,split\nISIC_0,nv,train\nISIC_1,nv,val\nISIC_2,mel,val\nISIC_3,nv,test\n")
    val = load_dataset(tmp_path / "labels.csv", split="val")
    assert val.label_counts() == {"mel": 1, "nv": 1} and "split 'val'" in val.describe()
    with pytest.raises(DatasetError, match="available: test, train, val"):
        load_dataset(tmp_path / "labels.csv", split="holdout")
    with pytest.raises(DatasetError, match="needs a CSV"):
        load_dataset(tmp_path / "images", split="val")


def test_path_label_csv_and_limit(tmp_path):
    rows = ["path,label"] + [f"img/{i}.jpg,{'malignant' if i % 3 == 0 else 'benign'}" for i in range(30)]
    for i in range(30):
        touch(tmp_path / "img" / f"{i}.jpg")
    (tmp_path / "list.csv").write_text("\n".join(rows) + "\nimg/missing.jpg,benign\n")
    full = load_dataset(tmp_path / "list.csv")
    assert len(full.images) == 30 and len(full.missing) == 1
    subset = load_dataset(tmp_path / "list.csv", limit=10)
    assert len(subset.images) == 10
    assert subset.images == load_dataset(tmp_path / "list.csv", limit=10).images  # fixed seed


def test_unreadable_datasets_are_user_errors(tmp_path):
    with pytest.raises(DatasetError, match="not found"):
        load_dataset(tmp_path / "nothing")
    (tmp_path / "bad.csv").write_text("a,b\n1,2\n")
    with pytest.raises(DatasetError, match="label column"):
        load_dataset(tmp_path / "bad.csv")


def test_standard_names_and_synonyms_are_inferred():
    mapping = infer_label_map(["mel", "Melanoma", "nevus", "seborrheic_keratosis", "scc", "benign"],
                              SEVEN_CLASS)
    assert mapping["mel"] == mapping["Melanoma"] == LabelTarget("mel", True)
    assert mapping["nevus"] == LabelTarget("nv", False)
    assert mapping["seborrheic_keratosis"] == LabelTarget("bkl", False)
    assert mapping["scc"] == LabelTarget(None, True)  # not a class of the model, still malignant
    assert mapping["benign"] == LabelTarget(None, False)


def test_diagnoses_map_onto_a_binary_model():
    mapping = infer_label_map(["mel", "nv", "bcc", "malignant"], BINARY)
    assert mapping["mel"] == LabelTarget("malignant", True)
    assert mapping["nv"] == LabelTarget("benign", False)
    assert mapping["malignant"] == LabelTarget("malignant", True)


def test_unknown_labels_need_a_label_map(tmp_path):
    with pytest.raises(LabelMapError, match="--label-map") as error:
        infer_label_map(["mel", "odd_spot", "weird"], SEVEN_CLASS)
    assert "odd_spot, weird" in str(error.value)
    map_file = tmp_path / "map.json"
    map_file.write_text(json.dumps({"odd_spot": "bkl", "weird": {"class": None, "malignant": True}}))
    mapping = infer_label_map(["odd_spot", "weird"], SEVEN_CLASS, parse_label_map(str(map_file)))
    assert mapping == {"odd_spot": LabelTarget("bkl", False), "weird": LabelTarget(None, True)}
    assert parse_label_map('{"x": "benign"}') == {"x": "benign"}
    with pytest.raises(LabelMapError, match="no class"):
        infer_label_map(["x"], SEVEN_CLASS, {"x": {"class": "zzz", "malignant": False}})
    with pytest.raises(LabelMapError, match="JSON"):
        parse_label_map("{not json")
