"""``make chaos``: fault trials of the sending pipeline, counted at an SMTP sink (see
``__main__``)."""
