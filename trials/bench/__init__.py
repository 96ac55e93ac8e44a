"""``make bench``: the site and the sending pipeline measured beside their ceilings (see
``__main__``)."""
