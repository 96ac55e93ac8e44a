"""The admin's image upload form, refusing broken files in plain words instead of failing.

Wagtail checks an upload's type from its first bytes and its size from its header, then
lets Pillow read the header. A file that starts like an image but isn't one (a JPEG cut
short, random bytes after a PNG signature) makes Pillow raise an error Wagtail doesn't catch,
and the editor gets a server error (wagtail/wagtail#1354, wagtail/Willow#48). A header that
reads but a picture that doesn't would be saved, and every page showing it would then fail.
So the file field here also decodes the picture (a JPEG at an eighth of its size, which still
reads all of its data) and refuses anything Pillow can't read with Wagtail's own message:
"Upload a valid image...". ``WAGTAILIMAGES_IMAGE_FORM_BASE`` points at ``ImageForm``.

Before any of that, a photo past ``WAGTAILIMAGES_MAX_IMAGE_PIXELS`` is refused from its header
(Wagtail's own check decodes the whole picture to count its pixels), with the size to resize
it to. An accepted photo is stored without its GPS position, camera and photographer metadata,
the right way up (``core.images.strip_metadata``).
"""

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image as PILImage
from wagtail.images.fields import WagtailImageField
from wagtail.images.forms import BaseImageForm

from core.images import max_pixels, strip_metadata, too_many_pixels_message

# Enough to read every byte of a JPEG without holding the full-size picture in memory.
DECODE_SIZE = (256, 256)


class CheckedImageField(WagtailImageField):
    """Wagtail's image field, refusing (not failing on) files Pillow can't read."""

    def to_python(self, data):
        try:
            upload = super().to_python(data)
            if upload is not None:
                self.check_image_data(upload)
                upload = self.without_metadata(upload)
        except ValidationError:
            raise
        except Exception as error:  # whatever Pillow raises, this is not an image we can use
            raise ValidationError(
                self.error_messages["invalid_image"], code="invalid_image"
            ) from error
        return upload

    def check_image_pixel_size(self, f):
        """Refuse a photo past the pixel limit, reading only its header."""
        f.image.f.seek(0)
        try:
            with PILImage.open(f.image.f) as header:
                width, height = header.size
                frames = getattr(header, "n_frames", 1)
        except PILImage.DecompressionBombError:  # so large Pillow won't even open it
            raise ValidationError(too_many_pixels_message(), code="file_too_many_pixels") from None
        finally:
            f.image.f.seek(0)
        if width * height * frames > max_pixels():
            raise ValidationError(
                too_many_pixels_message(width, height * frames), code="file_too_many_pixels"
            )

    def without_metadata(self, upload):
        """The upload, or a copy of it without metadata and upright."""
        upload.seek(0)
        clean = strip_metadata(upload.read())
        upload.seek(0)
        if clean is None:
            return upload
        return SimpleUploadedFile(upload.name, clean, content_type=upload.content_type)

    def check_image_data(self, upload):
        upload.seek(0)
        with PILImage.open(upload) as image:
            image.draft(image.mode, DECODE_SIZE)  # only JPEGs take the hint
            image.load()
        upload.seek(0)


class ImageForm(BaseImageForm):
    """The base of every image upload and edit form in the admin."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("file")
        if type(field) is WagtailImageField:
            # Wagtail builds this field itself (images.forms.formfield_for_dbfield); a
            # declared field would survive the multiple uploader's exclude of "file".
            field.__class__ = CheckedImageField
