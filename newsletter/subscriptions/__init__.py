"""The subscriber side of the newsletter: who is on the list, and how they join and leave.

- ``consent``: who may change a subscriber's status, and to what (the rules, written once).
- ``service``: sign up, confirm, pause, resume, unsubscribe, subscribe again.
- ``forms``: the reader's sign-up and preference forms, the admin's subscriber and CSV forms.
- ``tokens``: the signed links in emails; ``emails``: the transactional mail they go out in.
- ``throttle``: the sign-up form's rate limits; ``history``: the audit log entries.
- ``importing``, ``exporting``, ``gdpr``: CSV in and out, the personal-data export, erasure.
- ``suppression``, ``signals``, ``webhooks``: bounces and complaints from the mail provider.

A layer above the models and below the sending pipeline and the admin: modules here import
``newsletter.models`` and the leaf helpers (``newsletter.addresses``, ``newsletter.mailformat``),
never ``newsletter.sending``, ``newsletter.issues``, the views or the admin; the models never
import from here. Import the module you need (``from newsletter.subscriptions import tokens``):
this package re-exports nothing. The mail tasks keep the path queued task rows store,
``newsletter.tasks``: ``service`` queues through it, and it only calls ``emails``.
"""
