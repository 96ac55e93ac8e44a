"""What a photo file may carry out of the building, and how large it may be.

Cameras and phones write the photographer's name, the camera, and often the GPS position into
a photo (EXIF, XMP, IPTC, comments). For a newsroom that can reveal where a photographer or a
source was, so nothing of it leaves the site:

- ``strip_metadata()`` rewrites an upload without it, the camera's "rotate 90" applied to the
  pixels instead (``core.uploads`` calls it). A JPEG keeps its own quantisation tables and
  chroma subsampling, so it is re-encoded at the quality it came with; a file with nothing
  to strip is kept byte for byte. The colour profile (ICC) stays: it says how to show the
  colours, not who took the photo.
- ``CleanFilter`` makes every rendition (the site's pictures, og:image, the email's) from
  pixels with that metadata removed, also for photos uploaded before it was stripped.

``max_pixels()`` (Wagtail's ``WAGTAILIMAGES_MAX_IMAGE_PIXELS``) bounds the size of a photo:
uploads past it are refused, and a stored photo past it is not decoded for a rendition.
"""

import io
import math
from contextlib import contextmanager

from django.conf import settings
from PIL import Image as PILImage
from PIL import ImageOps, JpegImagePlugin
from wagtail.images.models import Filter, SourceImageIOError

# Kept: how to show the picture. Everything else in Pillow's ``info`` is dropped.
SAFE_INFO = ("icc_profile", "transparency", "dpi", "duration", "loop", "background", "disposal")
# JPEG segments that say nothing about who or where: JFIF, ICC colour profile, Adobe colour.
SAFE_JPEG_SEGMENTS = ("APP0", "APP2", "APP14")
METADATA_INFO = ("exif", "xmp", "XML:com.adobe.xmp", "comment", "photoshop", "iptc")
ORIENTATION = 0x0112


def max_pixels():
    """The most pixels (width x height) a photo may have."""
    return settings.WAGTAILIMAGES_MAX_IMAGE_PIXELS


def has_metadata(image):
    """Whether the opened Pillow ``image`` carries anything but its pixels and colours."""
    if any(image.info.get(key) for key in METADATA_INFO) or len(image.getexif()):
        return True
    if any(marker not in SAFE_JPEG_SEGMENTS for marker, _ in getattr(image, "applist", [])):
        return True
    return bool(getattr(image, "text", None))  # PNG text chunks


def clean_info(image):
    """Drop what ``has_metadata`` looks for from a decoded Pillow ``image``, in place."""
    image.info = {key: image.info[key] for key in SAFE_INFO if key in image.info}
    if hasattr(image, "applist"):
        image.applist = []
    return image


def _save_options(original, format):
    options = {key: original.info[key] for key in SAFE_INFO if key in original.info}
    if format == "JPEG":
        options.update(
            qtables=original.quantization,
            subsampling=JpegImagePlugin.get_sampling(original),
            progressive=bool(original.info.get("progressive")),
            optimize=True,
        )
    elif format in ("WEBP", "AVIF"):
        options["quality"] = 90
        if format == "WEBP":
            options["lossless"] = original.info.get("lossless", False)
    return options


def strip_metadata(data):
    """``data`` (an image file's bytes) without metadata and upright, in its own format; or
    None when there is nothing to strip."""
    with PILImage.open(io.BytesIO(data)) as original:
        if not has_metadata(original):
            return None
        format = original.format
        options = _save_options(original, format)
        output = io.BytesIO()
        if getattr(original, "n_frames", 1) > 1:  # an animation: every frame, as it was
            clean_info(original)
            original.save(output, format, save_all=True, **options)
        else:
            upright = clean_info(ImageOps.exif_transpose(original))
            upright.save(output, format, **options)
        return output.getvalue()


def too_many_pixels_message(width=None, height=None):
    """The editor's error for a photo of ``width`` x ``height`` pixels past the limit."""
    limit = max_pixels()
    if not width or not height:
        return (
            f"This photo has too many pixels: Lisa's Top Ten takes photos of up to "
            f"{limit / 1e6:,.0f} megapixels. Resize it and upload it again."
        )
    scale = math.sqrt(limit / (width * height))
    return (
        f"This photo has too many pixels: {width:,} × {height:,} "
        f"({width * height / 1e6:,.0f} megapixels). Lisa's Top Ten takes photos of up to "
        f"{limit / 1e6:,.0f} megapixels. Resize it to at most {math.floor(width * scale):,} × "
        f"{math.floor(height * scale):,} pixels and upload it again."
    )


class CleanFilter(Filter):
    """Wagtail's rendition filter, making renditions from the pixels only: no metadata, the
    orientation applied; refusing (as a missing file) a stored photo past ``max_pixels()``."""

    @contextmanager
    def get_willow_image(self, image, source=None):
        with super().get_willow_image(image, source) as original:
            if original.format_name == "svg":
                yield original
                return
            width, height = _header_size(original.f)
            if width * height > max_pixels():
                raise SourceImageIOError(
                    f"Image {image.pk} has {width}x{height} pixels, past the limit"
                )
            upright = original.auto_orient()  # decoded by Pillow, orientation applied
            clean_info(upright.image)
            upright.format_name = original.format_name
            yield upright


def _header_size(file):
    """Width and height from the file's header, without decoding the picture."""
    file.seek(0)
    with PILImage.open(file) as header:
        size = header.size
    file.seek(0)
    return size
