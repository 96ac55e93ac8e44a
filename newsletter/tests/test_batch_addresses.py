"""A batch call's addresses read quickly (``newsletter.sending.addresses``) are exactly what
anymail's own parser reads, and anything not plain still goes through anymail's parser."""

import re

import pytest
from anymail.exceptions import AnymailInvalidAddress
from anymail.utils import parse_address_list
from hypothesis import given, settings
from hypothesis import strategies as st

from newsletter.sending.addresses import PLAIN, read_addresses


def parts(addresses):
    return [
        (found.display_name, found.username, found.domain, found.addr_spec, found.address)
        for found in addresses
    ]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.from_regex(PLAIN, fullmatch=True), min_size=1, max_size=5))
def test_plain_addresses_read_quickly_are_what_anymail_reads(addresses):
    assert parts(read_addresses(addresses)) == parts(parse_address_list(addresses, field="to"))


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.text(alphabet='ab.@"<> ,()[]\\é-+\t', min_size=0, max_size=12), min_size=1, max_size=3
    )
)
def test_any_other_list_reads_as_anymail_reads_it_errors_and_all(addresses):
    try:
        expected = parts(parse_address_list(addresses, field="to"))
    except AnymailInvalidAddress as error:
        with pytest.raises(AnymailInvalidAddress) as raised:
            read_addresses(addresses)
        assert str(raised.value) == str(error)
    else:
        assert parts(read_addresses(addresses)) == expected


@pytest.mark.parametrize(
    "address",
    [
        "Ana Reader <ana@example.com>",
        '"ana reader"@example.com',
        "ana@[192.0.2.1]",
        "ana@example.com.",
        " ana@example.com",
        "ana..b@example.com",
        "ana@exämple.com",
        "ana(note)@example.com",
    ],
)
def test_an_address_that_is_not_plain_is_left_to_anymail(address):
    assert PLAIN.fullmatch(address) is None
    try:
        expected = parts(parse_address_list(["bo@example.com", address], field="to"))
    except AnymailInvalidAddress as error:
        with pytest.raises(AnymailInvalidAddress, match=re.escape(str(error))):
            read_addresses(["bo@example.com", address])
    else:
        assert parts(read_addresses(["bo@example.com", address])) == expected
