"""Each reader's own links in their copy of an issue: unsubscribe and preferences (signed as
``newsletter.subscriptions.tokens`` signs them), the ``List-Unsubscribe`` headers, and the
tracked ``/r/<token>/`` address of every link (``newsletter.engagement.tokens``), with the
signers and URL prefixes prepared once for a whole send (``message.FrozenMessage`` uses them).
"""

from django.core import signing
from django.urls import reverse

from newsletter import mailformat
from newsletter.engagement.tokens import link_token, link_tokens
from newsletter.sending import quoted
from newsletter.subscriptions import tokens


class Links:
    """Each reader's unsubscribe and preferences links, made as
    ``newsletter.subscriptions.tokens`` makes them but with the signers and URL prefixes
    prepared once for a whole batch."""

    def __init__(self, newsletter_settings):
        self.unsubscribe_signer = signing.Signer(salt=tokens.UNSUBSCRIBE_SALT)
        self.preferences_signer = signing.Signer(salt=tokens.PREFERENCES_SALT)
        self.unsubscribe_prefix, self.unsubscribe_suffix = self._url_parts("unsubscribe")
        self.preferences_prefix, self.preferences_suffix = self._url_parts("preferences")
        self.mailbox = newsletter_settings.unsubscribe_mailbox
        self.click_prefix, self.click_suffix = self._url_parts_at("newsletter_click", "")
        # An address quoted-printable writes as it is, unless longer than a line.
        self.plain = (
            (self.click_prefix + self.click_suffix).isascii()
            and "=" not in self.click_prefix + self.click_suffix
            and not self.click_prefix.startswith(".")
        )

    @staticmethod
    def _url_parts_at(name, namespace="newsletter:"):
        marker = "TOKEN0MARKER"
        url = mailformat.absolute_url(reverse(f"{namespace}{name}", args=[marker]))
        prefix, _, suffix = url.partition(marker)
        return prefix, suffix

    @classmethod
    def _url_parts(cls, name):
        return cls._url_parts_at(name)

    def tokens_for_subscriber(self, subscriber_id):
        """``(unsubscribe token, preferences token)``; None gives harmless example ones."""
        if subscriber_id is None:
            return "example", "example"
        pk = str(subscriber_id)
        return self.unsubscribe_signer.sign(pk), self.preferences_signer.sign(pk)

    def for_subscriber(self, subscriber_id):
        """``(unsubscribe URL, preferences URL)``; None gives harmless example links."""
        unsubscribe, preferences = self.tokens_for_subscriber(subscriber_id)
        return (
            f"{self.unsubscribe_prefix}{unsubscribe}{self.unsubscribe_suffix}",
            f"{self.preferences_prefix}{preferences}{self.preferences_suffix}",
        )

    def list_unsubscribe(self, unsubscribe_url):
        """RFC 2369 and RFC 8058 headers (``mailformat.list_unsubscribe_headers``)."""
        return mailformat.list_unsubscribe_headers(unsubscribe_url, self.mailbox)

    def click(self, link_id, delivery_id):
        """The tracked address of link ``link_id`` in the copy of delivery ``delivery_id``."""
        return f"{self.click_prefix}{link_token(link_id, delivery_id)}{self.click_suffix}"

    def encoded_clicks(self, link_ids, delivery_id):
        """The tracked addresses of ``link_ids`` in one copy, as they go in the encoded body
        (``quoted.link``; an address that fits a line, as they do, is written as it is)."""
        prefix, suffix = self.click_prefix, self.click_suffix
        urls = [f"{prefix}{token}{suffix}" for token in link_tokens(link_ids, delivery_id)]
        return [
            url.encode() if len(url) <= quoted.WIDTH and self.plain else quoted.link(url).encode()
            for url in urls
        ]
