"""A claim finds the next pending rows without walking past every row already sent."""

import pytest
from django.db import connection
from django.utils import timezone

from newsletter.sending.claims import claimable


@pytest.mark.django_db
@pytest.mark.skipif(
    connection.vendor != "sqlite",
    reason="SQLite's plan; PostgreSQL chooses by its table statistics",
)
def test_claims_walk_the_pending_rows_in_id_order_by_index():
    query = claimable(1, timezone.now()).order_by("pk").values_list("pk")[:50]
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        plan = " ".join(str(row[-1]) for row in cursor.fetchall())

    assert "delivery_pending_order_idx" in plan
    assert "TEMP B-TREE" not in plan  # no sort of every matching row
