"""Draw the start-up splash screen of the packaged app (assets/splash.png) with Pillow.

PyInstaller's bootloader shows this image while a one-file SkinDesk unpacks
itself (see build.spec), before Python starts; the app closes it when its
main window is up. White card, the app icon, name, what it is, the
"decision support, not a diagnosis" line (no version number,
so the committed image never goes stale), and a free strip at the bottom
where the bootloader writes what it is unpacking. Run:
python scripts/make_splash.py
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "assets" / "splash.png"
ICON = ROOT / "assets" / "icons" / "skindesk.png"
SIZE = (560, 300)
SLATE = (44, 62, 80)  # the icon's background colour
GREY = (100, 116, 128)
# Where build.spec asks the bootloader to write its progress text (x, baseline y).
TEXT_POS = (28, 282)


def _font(bold: bool, size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """DejaVu Sans from matplotlib (always installed with SkinDesk), else Pillow's default."""
    try:
        import matplotlib

        name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
        return ImageFont.truetype(str(Path(matplotlib.get_data_path()) / "fonts" / "ttf" / name),
                                  size)
    except (ImportError, OSError):
        return ImageFont.load_default(size)


def draw_splash() -> Image.Image:
    """The splash screen as an RGB image."""
    image = Image.new("RGB", SIZE, (255, 255, 255))
    draw = ImageDraw.Draw(image)
    width, height = SIZE
    draw.rectangle((0, 0, width - 1, 7), fill=SLATE)  # a thin band in the app's colour
    draw.rectangle((0, 0, width - 1, height - 1), outline=(214, 220, 225))
    icon = Image.open(ICON).convert("RGBA").resize((112, 112), Image.Resampling.LANCZOS)
    image.paste(icon, (28, 58), icon)
    draw.text((164, 72), "SkinDesk", font=_font(True, 44), fill=SLATE)
    draw.text((166, 134), "Skin-lesion decision support", font=_font(False, 18), fill=GREY)
    draw.text((28, 200), "Decision support, not a diagnosis. Works offline: no image",
              font=_font(False, 13), fill=GREY)
    draw.text((28, 219), "leaves this computer.", font=_font(False, 13), fill=GREY)
    draw.line((28, 254, width - 28, 254), fill=(228, 232, 235))
    return image


if __name__ == "__main__":
    OUT.parent.mkdir(parents=True, exist_ok=True)
    draw_splash().save(OUT, optimize=True)
    print(f"wrote {OUT}")
