"""Drop parsing, DPI scaling and image pyramids (no display needed)."""

from __future__ import annotations

import tkinter

import pytest
from PIL import Image

from skindesk.gui.dnd import parse_drop_data
from skindesk.gui.image_loading import build_pyramid, decode_for_display, expand_paths
from skindesk.gui.root import initial_geometry, ui_scaling
from tests.gui.helpers import make_lesion_png


def test_drop_data_with_spaces_and_uris():
    tcl = tkinter.Tcl()
    data = "{/home/dr who/lesion 1.jpg} /tmp/b.png file:///tmp/c%20d.tif"
    assert parse_drop_data(tcl.tk, data) == ["/home/dr who/lesion 1.jpg", "/tmp/b.png",
                                             "/tmp/c d.tif"]


class FakeRoot:
    """Just enough of a Tk root for the scaling and geometry rules."""

    def __init__(self, dpi: float, screen: tuple[int, int] = (1366, 768)) -> None:
        self.dpi, self.screen = dpi, screen
        self.tk = self

    def call(self, *args: object) -> str:
        return "win32"

    def winfo_fpixels(self, _distance: str) -> float:
        return self.dpi

    def winfo_screenwidth(self) -> int:
        return self.screen[0]

    def winfo_screenheight(self) -> int:
        return self.screen[1]


@pytest.mark.parametrize(("dpi", "extra", "env", "scaling"), [
    (96, 1.0, "", 96 / 72),
    (72, 1.0, "", 96 / 72),  # never smaller than a standard screen
    (192, 1.0, "", 192 / 72),  # 4K laptop
    (96, 1.25, "", 120 / 72),
    (96, 1.0, "2", 192 / 72),
])
def test_ui_scaling_follows_dpi(monkeypatch, dpi, extra, env, scaling):
    monkeypatch.setenv("SKINDESK_UI_SCALE", env)
    assert ui_scaling(FakeRoot(dpi), extra) == pytest.approx(scaling)


def test_initial_geometry_fits_a_small_screen():
    root = FakeRoot(96, (1366, 768))
    assert initial_geometry(root, "") == "1161x652+102+38"
    assert initial_geometry(root, "1200x700+20+20") == "1200x700+20+20"
    assert initial_geometry(root, "3000x2000+0+0") == "1161x652+102+38"  # saved on a 4K screen


def test_pyramid_halves_down_to_a_small_level():
    levels = build_pyramid(Image.new("RGB", (5000, 3000)))
    assert [lv.size for lv in levels] == [(5000, 3000), (2500, 1500), (1250, 750), (625, 375),
                                          (313, 188)]


def test_decode_for_display(tmp_path):
    picture = decode_for_display(str(make_lesion_png(tmp_path / "a.png")), thumbnail_size=48)
    assert (picture.width, picture.height, picture.format) == (600, 450, "PNG")
    assert picture.thumbnail.size == (48, 48)


def test_expand_paths_opens_folders_sorted(tmp_path):
    for name in ("b.jpg", "a.PNG", "notes.txt"):
        (tmp_path / name).write_bytes(b"x")
    assert expand_paths([str(tmp_path)]) == [str(tmp_path / "a.PNG"), str(tmp_path / "b.jpg")]
    assert expand_paths([f'"{tmp_path / "b.jpg"}"']) == [str(tmp_path / "b.jpg")]
