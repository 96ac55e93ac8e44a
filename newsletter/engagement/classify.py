"""Human or suspect: the rules that class a click (a minimal stand-in; helper "rules" writes
the real one).

- ``request_reason(method, user_agent)``: what the request alone says ("head" for HEAD).
- ``apply(clicks)``: the rules that need the clicks around it (none here).
"""

from newsletter.models import Click


def request_reason(method, user_agent):
    """A ``Click.Reason`` value decided from the request alone."""
    if method == "HEAD":
        return Click.Reason.HEAD
    return Click.Reason.NONE


def apply(clicks):
    """Set ``human``/``reason`` on the unsaved ``clicks`` from the clicks around them."""
