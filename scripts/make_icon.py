"""Draw SkinDesk's window icon (assets/icons/skindesk.png) with Pillow.

A rounded square in the app's slate blue, a skin-coloured disc with a brown
lesion, and a white magnifier ring: "looking closely at skin". Drawn at 4×
and downsampled for smooth edges. Run: python scripts/make_icon.py
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

SIZE = 256
SCALE = 4
OUT = Path(__file__).resolve().parents[1] / "assets" / "icons" / "skindesk.png"


def draw_icon(size: int = SIZE) -> Image.Image:
    """The icon as an RGBA image of ``size``×``size`` pixels."""
    big = size * SCALE
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((0, 0, big - 1, big - 1), radius=big // 5, fill=(44, 62, 80, 255))
    c, r = big * 0.44, big * 0.30
    draw.ellipse((c - r, c - r, c + r, c + r), fill=(233, 184, 164, 255))
    lesion = Image.new("L", (big, big), 0)
    ImageDraw.Draw(lesion).ellipse((c - r * 0.45, c - r * 0.38, c + r * 0.40, c + r * 0.48),
                                   fill=255)
    lesion = lesion.filter(ImageFilter.GaussianBlur(big / 60))
    image.paste((120, 66, 44, 255), (0, 0), lesion)
    ring = max(big // 28, 1)
    draw.ellipse((c - r, c - r, c + r, c + r), outline=(255, 255, 255, 255), width=ring)
    handle = (c + r * 0.72, c + r * 0.72, big * 0.86, big * 0.86)
    draw.line(handle, fill=(255, 255, 255, 255), width=ring * 2)
    return image.resize((size, size), Image.Resampling.LANCZOS)


if __name__ == "__main__":
    OUT.parent.mkdir(parents=True, exist_ok=True)
    draw_icon().save(OUT)
    print(f"wrote {OUT}")
