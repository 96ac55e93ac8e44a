"""``make load``: readers under load while an issue is sent (see ``__main__``)."""
