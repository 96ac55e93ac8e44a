"""Photos that carry what a camera writes (GPS position, maker, XMP, IPTC, a comment, a
"rotate 90" orientation), and the check that a served image carries none of it; a photo past
the pixel limit; an upload through the admin's form."""

import io
import struct

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image
from wagtail.images import get_image_model

# Where the photo was taken: 51°30'N 0°7'W.
GPS = {
    ExifTags.GPS.GPSLatitudeRef: "N",
    ExifTags.GPS.GPSLatitude: (51.0, 30.0, 0.0),
    ExifTags.GPS.GPSLongitudeRef: "W",
    ExifTags.GPS.GPSLongitude: (0.0, 7.0, 0.0),
}
XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/'
    b'22-rdf-syntax-ns#"><rdf:Description xmlns:photoshop="http://ns.adobe.com/photoshop/'
    b'1.0/" photoshop:City="Secret source town"/></rdf:RDF></x:xmpmeta>'
)
# Stored the wrong way round: the camera says "rotate 90 degrees clockwise to show it".
RAW_SIZE = (300, 200)
ROTATE_90 = 6


def _iptc_segment(text=b"Secret source"):
    """An APP13 (Photoshop/IPTC) segment with a by-line, as newsroom tools write it."""
    record = b"\x1c\x02\x50" + struct.pack(">H", len(text)) + text  # 2:80 By-line
    resource = b"8BIM\x04\x04\x00\x00" + struct.pack(">I", len(record)) + record
    body = b"Photoshop 3.0\x00" + resource
    return b"\xff\xed" + struct.pack(">H", len(body) + 2) + body


def camera_exif():
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Canon"
    exif[ExifTags.Base.Model] = "EOS R5"
    exif[ExifTags.Base.Artist] = "Jane Doe"
    exif[ExifTags.Base.Orientation] = ROTATE_90
    exif.get_ifd(ExifTags.IFD.GPSInfo).update(GPS)
    return exif


def raw_picture():
    """300x200 as stored: a red band down the left edge, the rest blue. Shown the right way
    up (rotated 90 degrees clockwise) it is 200x300 with the red band along the top."""
    image = Image.new("RGB", RAW_SIZE, (0, 0, 255))
    image.paste((255, 0, 0), (0, 0, 40, RAW_SIZE[1]))
    return image


def photo_with_metadata(kind="jpeg"):
    """The bytes of a photo carrying GPS, maker, XMP, a comment (and IPTC, in a JPEG)."""
    buffer = io.BytesIO()
    if kind == "jpeg":
        raw_picture().save(
            buffer,
            "JPEG",
            quality=90,
            exif=camera_exif(),
            xmp=XMP,
            comment=b"Taken at the source's house",
        )
        data = buffer.getvalue()
        return data[:2] + _iptc_segment() + data[2:]  # right after the start of image
    if kind == "png":
        from PIL.PngImagePlugin import PngInfo

        text = PngInfo()
        text.add_text("Comment", "Taken at the source's house")
        text.add_text("XML:com.adobe.xmp", XMP.decode())
        raw_picture().save(buffer, "PNG", exif=camera_exif(), pnginfo=text)
        return buffer.getvalue()
    raw_picture().save(buffer, kind.upper(), exif=camera_exif(), xmp=XMP)
    return buffer.getvalue()


CONTENT_TYPES = {"jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp"}


def upload(editor_client, kind="jpeg"):
    """``photo_with_metadata(kind)`` uploaded through the admin: (the image, the bytes sent)."""
    data = photo_with_metadata(kind)
    response = editor_client.post(
        "/admin/images/add/",
        {
            "title": "At the source's house",
            "description": "",
            "collection": 1,
            "file": SimpleUploadedFile(
                f"source.{'jpg' if kind == 'jpeg' else kind}",
                data,
                content_type=CONTENT_TYPES[kind],
            ),
        },
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    return get_image_model().objects.get(title="At the source's house"), data


def huge_jpeg(size=(11_000, 11_000)):
    """An 11,000 x 11,000 JPEG of one grey: about 375 kB, 121 megapixels."""
    buffer = io.BytesIO()
    Image.new("L", size, 128).save(buffer, "JPEG", quality=50)
    return buffer.getvalue()


def media_bytes(url):
    """The bytes a reader gets for a media ``url`` (absolute or not), read from storage."""
    path = url.split(settings.MEDIA_URL, 1)[1]
    with default_storage.open(path, "rb") as file:
        return file.read()


def metadata_in(data):
    """What in the image file ``data`` could tell who took it and where: [] when nothing."""
    found = []
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        exif = image.getexif()
        if len(exif):
            found.append(f"EXIF {dict(exif)}")
        if exif.get_ifd(ExifTags.IFD.GPSInfo):
            found.append("GPS")
        for key in ("exif", "xmp", "XML:com.adobe.xmp", "comment", "photoshop", "iptc", "Comment"):
            if image.info.get(key):
                found.append(key)
        for marker, _ in getattr(image, "applist", []):
            if marker not in ("APP0", "APP2", "APP14"):  # JFIF, ICC colour profile, Adobe
                found.append(marker)
        found.extend(f"text {key}" for key in getattr(image, "text", {}))
    if b"Secret source" in data or b"Jane Doe" in data or b"Canon" in data:
        found.append("identifying text in the bytes")
    return found


def pixels(data):
    """(size, colour of the top-middle pixel, colour of the left-middle pixel)."""
    with Image.open(io.BytesIO(data)) as image:
        image = image.convert("RGB")
        width, height = image.size
        return image.size, image.getpixel((width // 2, 2)), image.getpixel((2, height // 2))


def is_red(colour):
    red, green, blue = colour
    return red > 200 and green < 60 and blue < 60


def assert_upright_without_metadata(data):
    assert metadata_in(data) == []
    size, top, left = pixels(data)
    assert size[0] < size[1]  # shown portrait: the "rotate 90" was applied to the pixels
    assert is_red(top) and not is_red(left)
