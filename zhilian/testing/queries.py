from collections.abc import Callable

from django.db import connection
from django.test.utils import CaptureQueriesContext


def count_queries(func: Callable[[], object]) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as ctx:
        result = func()
    return len(ctx.captured_queries), result


def assert_constant_queries(make_rows: Callable[[int], object], fetch: Callable[[], object], small=5, large=50):
    """The query count of `fetch` is the same with `small` and with `large` rows present.

    `make_rows(n)` adds n more rows; `fetch()` runs the request and returns the response.
    """
    make_rows(small)
    few, response_few = count_queries(fetch)
    make_rows(large - small)
    many, response_many = count_queries(fetch)
    assert few == many, f"{few} queries with {small} rows but {many} with {large}: a query runs per row"
    return response_few, response_many
