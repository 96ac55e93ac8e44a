"""Photos in object storage (MEDIA_STORAGE_URL=s3://...): django-storages' real S3 client
against a local server that speaks S3's API (moto's), as several web machines would share media.

What a reader gets is checked from the outside: the article page an anonymous client receives
links its pictures at the bucket, and those links answer with the picture to anyone; the sent
issue's frozen copy of a photo lives in the bucket too, so the email keeps working whichever
machine built it.
"""

import io
import json
import logging
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

import boto3
import pytest
from bs4 import BeautifulSoup
from moto.server import ThreadedMotoServer
from PIL import Image

from config.storage import media_origin, media_storage_from_url
from newsletter.issues.rendering import build_snapshot
from newsletter.tests.mail_capture import free_port

ROOT = Path(__file__).resolve().parents[2]
BUCKET = "lisastopten-media"
PUBLIC_READ = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "PhotosArePublic",
            "Effect": "Allow",
            "Principal": "*",
            "Action": "s3:GetObject",
            "Resource": f"arn:aws:s3:::{BUCKET}/media/*",
        }
    ],
}


@pytest.fixture(scope="module")
def s3_endpoint():
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def bucket(s3_endpoint, settings, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "topten-test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "topten-test-secret")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    client = boto3.client("s3", endpoint_url=s3_endpoint)
    client.create_bucket(Bucket=BUCKET)
    # What docs/operations.md tells the operator to set: anyone may read the photos.
    client.put_bucket_policy(Bucket=BUCKET, Policy=json.dumps(PUBLIC_READ))
    storage = media_storage_from_url(f"s3://{BUCKET}/media?endpoint={s3_endpoint}")
    settings.STORAGES = {**settings.STORAGES, "default": storage}
    yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def fetch_picture(url):
    """What a reader's browser or mail client gets from a picture link: no keys, no cookies."""
    with urllib.request.urlopen(url, timeout=10) as response:
        assert response.status == 200
        return Image.open(io.BytesIO(response.read()))


def test_article_pictures_are_served_from_the_bucket(bucket, s3_endpoint, make_article, client):
    article = make_article(title="Floods close the Rhine to barges")

    page = BeautifulSoup(client.get(article.url).content, "html.parser")

    sources = [img["src"] for img in page.select("main img")]
    sources += [
        candidate.strip().split()[0]
        for source in page.select("main picture source")
        for candidate in source["srcset"].split(",")
    ]
    assert sources
    for url in sources:
        assert url.startswith(f"{s3_endpoint}/{BUCKET}/media/"), url
        picture = fetch_picture(url)
        assert picture.width > 0
    stored = {item["Key"] for item in bucket.list_objects_v2(Bucket=BUCKET)["Contents"]}
    assert any(key.startswith("media/original_images/") for key in stored)
    assert any(key.startswith("media/images/") for key in stored)  # the renditions


def test_a_sent_issues_photos_are_frozen_in_the_bucket(bucket, s3_endpoint, issue):
    snapshot = build_snapshot(issue)

    email = BeautifulSoup(snapshot.html, "html.parser")
    pictures = [img["src"] for img in email.find_all("img") if "/issues/" in img["src"]]
    assert len(pictures) == 10
    for url in pictures:
        assert url.startswith(f"{s3_endpoint}/{BUCKET}/media/issues/{issue.issue_date}/"), url
        assert fetch_picture(url).width > 0


def test_the_origin_of_the_pictures_is_what_the_storage_links_to(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "x")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "y")
    from storages.backends.s3 import S3Storage

    for url in (
        "s3://lisastopten-media",
        "s3://lisastopten-media/media?region=eu-west-2",
        "s3://lisastopten-media?endpoint=https://r2.example.net",
        "s3://lisastopten-media?custom_domain=media.lisastopten.com",
    ):
        config = media_storage_from_url(url)
        link = S3Storage(**config["OPTIONS"]).url("images/photo.jpg")
        assert link.startswith(media_origin(config) + "/"), (url, link)


def settings_value(expression, **env):
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.dev", **env}
    return subprocess.run(
        [sys.executable, "-c", f"from django.conf import settings; print({expression})"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_content_security_policy_lets_pages_show_pictures_from_the_bucket():
    result = settings_value(
        "' '.join(settings.SECURE_CSP['img-src'])",
        MEDIA_STORAGE_URL="s3://lisastopten-media?custom_domain=media.lisastopten.com",
    )

    assert result.returncode == 0, result.stderr
    assert "https://media.lisastopten.com" in result.stdout.split()


def test_without_the_setting_photos_stay_in_media_root():
    result = settings_value("settings.STORAGES['default']['BACKEND']", MEDIA_STORAGE_URL="")

    assert result.stdout.strip() == "django.core.files.storage.FileSystemStorage"


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("ftp://media.example.com", "is not an S3 bucket. Use s3://bucket-name"),
        ("s3://KEY:SECRET@lisastopten-media", "must not carry keys: set AWS_ACCESS_KEY_ID"),
        ("s3://lisastopten-media?acl=public", "unknown options acl; it takes custom_domain"),
    ],
)
def test_a_wrong_storage_url_stops_the_site_with_what_to_do(url, says):
    result = settings_value("settings.STORAGES", MEDIA_STORAGE_URL=url)

    assert result.returncode != 0
    assert says in result.stderr
