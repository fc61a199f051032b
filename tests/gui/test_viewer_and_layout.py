"""The image viewer's zoom and pan, and the layout on a small laptop screen."""

from __future__ import annotations

import pytest

from tests.gui.helpers import require_display

require_display()

from skindesk import DISCLAIMER
from skindesk.gui.settings import GuiSettings
from tests.gui.fakes import FakeService
from tests.gui.helpers import make_lesion_png, screenshot

pytestmark = pytest.mark.gui


@pytest.fixture
def viewer(app, tmp_path):
    app.window.open_paths([str(make_lesion_png(tmp_path / "wide.png", size=(2400, 1200)))])
    app.wait_for_images()
    view = app.window.ui.image_view
    app.pump(lambda: view.has_image and view.zoom < 1, 5, "the picture to be fitted")
    return view


def image_point_under(view, x, y):
    x0, y0 = view._origin
    return (x - x0) / view.zoom, (y - y0) / view.zoom


def test_fit_shows_the_whole_picture(viewer):
    width, height = viewer.canvas.winfo_width(), viewer.canvas.winfo_height()
    assert viewer.fit_mode
    assert viewer.zoom == pytest.approx(min(width / 2400, height / 1200))


def test_wheel_zoom_keeps_the_point_under_the_cursor(app, viewer):
    x, y = viewer.canvas.winfo_width() // 3, viewer.canvas.winfo_height() // 2  # on the picture
    before, fitted = image_point_under(viewer, x, y), viewer.zoom
    for _ in range(3):
        viewer.canvas.event_generate("<Button-4>", x=x, y=y)
    app.pump(timeout=0.1)
    assert viewer.zoom == pytest.approx(fitted * 1.25**3)
    assert image_point_under(viewer, x, y) == pytest.approx(before, abs=1.0)
    assert not viewer.fit_mode


def test_keys_and_drag(app, viewer):
    viewer.canvas.focus_force()
    app.pump(timeout=0.1)
    viewer.canvas.event_generate("<Key-1>")
    assert viewer.zoom == 1.0
    origin = viewer._origin
    viewer.canvas.event_generate("<ButtonPress-1>", x=300, y=200)
    viewer.canvas.event_generate("<B1-Motion>", x=250, y=180)
    viewer.canvas.event_generate("<ButtonRelease-1>", x=250, y=180)
    assert viewer._origin == pytest.approx((origin[0] - 50, origin[1] - 20))
    viewer.canvas.event_generate("<minus>")
    assert viewer.zoom == pytest.approx(1 / 1.5)
    viewer.canvas.event_generate("<Key-0>")
    assert viewer.fit_mode
    app.pump(timeout=0.1)
    assert app.window.ui.status.zoom.cget("text") == f"{viewer.zoom * 100:.0f}%"


def test_layout_fits_a_1366x768_laptop(make_app, tmp_path, output_dir):
    app = make_app(FakeService(delay=0.1), GuiSettings(geometry="1366x705+0+0"))
    window = app.window
    window.open_paths([str(make_lesion_png(tmp_path / "a.png"))])
    app.wait_for_images()
    window.analyse_current()
    app.wait_for_analysis()
    screenshot(app.root, output_dir / "laptop_1366x768.png")
    bottom = app.root.winfo_rooty() + app.root.winfo_height()
    for widget in (window.ui.disclaimer, window.ui.status, window.ui.toolbar.analyse_all_button,
                   window.ui.patient_form.question_entry):
        assert widget.winfo_ismapped(), widget
        assert widget.winfo_rooty() + widget.winfo_height() <= bottom, widget
    assert window.ui.disclaimer.label.cget("text") == DISCLAIMER
    left, right = window.ui.pane_widths()
    assert left >= 200 and right >= 300
    assert window.ui.image_view.winfo_width() >= 300
