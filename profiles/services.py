"""What the profiles app makes for researchers: a placeholder portrait, when there is no photo."""

import io

from django.core.files.base import ContentFile
from PIL import Image, ImageDraw, ImageFont

PORTRAIT_SIZE = 480
PORTRAIT_BACKGROUND = (31, 78, 121)


def placeholder_portrait(*, initials: str) -> ContentFile:
    """A generated square PNG with a person's initials, for a profile that has no photograph
    to show (the demo fetches none)."""
    image = Image.new("RGB", (PORTRAIT_SIZE, PORTRAIT_SIZE), PORTRAIT_BACKGROUND)
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=PORTRAIT_SIZE // 3)
    middle = PORTRAIT_SIZE // 2
    draw.text((middle, middle), initials, fill=(255, 255, 255), font=font, anchor="mm")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return ContentFile(buffer.getvalue())
