"""Who may change a subscriber's status, and to what: the consent rules, written once.

Every route that changes a status asks here first: the admin's add and edit forms, the CSV
import, the sign-up form, the preference page, the confirmation link and the suppression of
bounces and complaints. The rules, as the best mailing-list services apply them:

- Only the reader makes themselves active, by clicking the link in a confirmation email
  (double opt-in). An editor never can: someone new is added as pending, which emails them
  that link. (A CSV import is the exception for people brought from another list, who agreed
  there; it can also confirm someone pending.)
- Anyone may stop the mail: an editor, the reader, the file, the mail provider. A stronger
  state is never weakened: complained > bounced > unsubscribed > pending or active.
- Nobody but the reader brings back someone who left: the sign-up form and the preference
  page make them pending and send a confirmation link. A reader who unsubscribed may come
  back at once from the preference page, whose signed link only they have.
"""

import enum

from newsletter.models import Subscriber

Status = Subscriber.Status
STRENGTH = {Status.UNSUBSCRIBED: 1, Status.BOUNCED: 2, Status.COMPLAINED: 3}
SIGNUP_PAGE = "/newsletter/subscribe/"


class Actor(enum.StrEnum):
    """Who asks for the change."""

    EDITOR = "editor"  # the admin's add and edit forms
    IMPORT = "import"  # a CSV file, in the admin or with the command
    SIGNUP = "signup"  # the sign-up form: anyone can type any address
    READER = "reader"  # the preference and unsubscribe pages, from a link we emailed them
    CONFIRMATION = "confirmation"  # the reader's click on a confirmation link
    PROVIDER = "provider"  # a bounce, complaint or unsubscribe reported by the mail server


def _stronger(old, new):
    return new in STRENGTH and STRENGTH[new] > STRENGTH.get(old, 0)


def _allowed(old, new, actor):
    if old == new or _stronger(old, new):
        return True
    if old is None:  # someone new
        return (
            new == Status.PENDING
            or actor == Actor.IMPORT
            or (actor == Actor.EDITOR and new in STRENGTH)
        )
    if new == Status.ACTIVE:
        return (
            (actor == Actor.CONFIRMATION and old == Status.PENDING)
            or (actor == Actor.IMPORT and old == Status.PENDING)
            or (actor == Actor.READER and old == Status.UNSUBSCRIBED)
        )
    if new == Status.PENDING:  # asking (again): the confirmation link follows
        return actor in (Actor.SIGNUP, Actor.READER) and old in STRENGTH
    return False


def _editor_reason(old, new):
    if old is None:
        return (
            "Only the reader can make themselves active. Add them as Pending: we'll email "
            "them a link to confirm, and they get Lisa's Top Ten once they click it."
        )
    if old == Status.PENDING and new == Status.ACTIVE:
        return (
            "Only the reader can confirm their subscription, by clicking the link in our "
            "confirmation email. Leave them as Pending; they get Lisa's Top Ten once they click it."
        )
    if old in STRENGTH and new not in STRENGTH:
        return (
            f"Only the reader can subscribe again, from the sign-up form on the site "
            f"({SIGNUP_PAGE}): they'll get a confirmation email, and Lisa's Top Ten once they "
            f"click its link. Until then they stay {Status(old).label}."
        )
    if old == Status.COMPLAINED:
        return (
            "They marked our email as spam, which outweighs any other status: it stays "
            "Complained. Only the reader can subscribe again, from the sign-up form."
        )
    if old == Status.BOUNCED:
        return (
            "Their address bounced, which outweighs being unsubscribed: it stays Bounced. "
            "Only the reader can subscribe again, from the sign-up form."
        )
    return "To stop their newsletter, choose Unsubscribed, or pause it below."


def refusal(old, new, actor):
    """Why ``actor`` may not move a subscriber from status ``old`` (None: someone new) to
    ``new``, in words for an editor; "" when they may."""
    if _allowed(old, new, Actor(actor)):
        return ""
    if actor == Actor.EDITOR:
        return _editor_reason(old, new)
    if brings_back(old, new):
        return "Only the reader can subscribe again: they left, and stay so until they do."
    return "Only the reader can make themselves active, by confirming."


def allows(old, new, actor):
    return not refusal(old, new, actor)


def status_after(old, new, actor):
    """``new`` if ``actor`` may make that change, else ``old`` unchanged."""
    return new if allows(old, new, actor) else old


def brings_back(old, new):
    """Whether ``new`` would put someone who left (``old``) back on the way to the newsletter."""
    return old in STRENGTH and new not in STRENGTH
