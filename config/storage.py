"""Where uploaded photos and their renditions live, from ``MEDIA_STORAGE_URL``, the way
``EMAIL_URL`` and ``CACHE_URL`` configure the rest.

(unset)                                        ``MEDIA_ROOT`` on this machine (the default)
s3://bucket                                    an S3 bucket, through django-storages
s3://bucket/media?region=eu-west-2             ... under a prefix, in a region
s3://bucket?endpoint=https://s3.example.net    ... at any S3-compatible service (R2, B2, MinIO)
s3://bucket?custom_domain=media.example.com    ... served from a CDN in front of the bucket

The keys come from the usual ``AWS_ACCESS_KEY_ID`` and ``AWS_SECRET_ACCESS_KEY`` (or the
machine's role), never from the URL. Objects are public and their links unsigned: photos are
printed in emails that are read years later, and a signed link would expire.
"""

from urllib.parse import parse_qsl, urlsplit

FILESYSTEM = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
S3 = "storages.backends.s3.S3Storage"
OPTIONS = {"region": "region_name", "endpoint": "endpoint_url", "custom_domain": "custom_domain"}


def media_storage_from_url(url):
    """The ``STORAGES["default"]`` entry for a ``MEDIA_STORAGE_URL`` (empty: the local folder)."""
    if not url:
        return dict(FILESYSTEM)
    parts = urlsplit(url)
    if parts.scheme != "s3" or not parts.netloc:
        raise ValueError(
            f"MEDIA_STORAGE_URL {url!r} is not an S3 bucket. Use s3://bucket-name, e.g. "
            "s3://lisastopten-media/media?region=eu-west-2, or leave it unset for MEDIA_ROOT."
        )
    if parts.username or parts.password:
        raise ValueError(
            "MEDIA_STORAGE_URL must not carry keys: set AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY instead (or give the machine a role)."
        )
    query = dict(parse_qsl(parts.query))
    unknown = sorted(set(query) - set(OPTIONS))
    if unknown:
        raise ValueError(
            f"MEDIA_STORAGE_URL has unknown options {', '.join(unknown)}; "
            f"it takes {', '.join(sorted(OPTIONS))}."
        )
    options = {
        "bucket_name": parts.netloc,
        "location": parts.path.strip("/"),
        "querystring_auth": False,
        "file_overwrite": False,
    }
    options.update({OPTIONS[key]: value for key, value in query.items()})
    return {"BACKEND": S3, "OPTIONS": options}


def media_origin(storage):
    """The origin photos are served from when it isn't this site (for the CSP), else None."""
    options = storage.get("OPTIONS", {})
    if storage["BACKEND"] != S3:
        return None
    if options.get("custom_domain"):
        return f"https://{options['custom_domain']}"
    if options.get("endpoint_url"):
        endpoint = urlsplit(options["endpoint_url"])
        return f"{endpoint.scheme}://{endpoint.netloc}"
    # boto3 names AWS buckets this way whatever the region (virtual-hosted style).
    return f"https://{options['bucket_name']}.s3.amazonaws.com"
