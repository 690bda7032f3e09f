from rest_framework import exceptions, pagination


class PageNumberPagination(pagination.PageNumberPagination):
    """``page`` and ``page_size`` (default 50, capped at 500); a bad value is a 400."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    page_size_query_description = "Rows per page: default 50, at most 500 (larger is capped)."
    invalid_page_message = "Page {page_number} does not exist: {message}."

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        size = positive_int(raw, self.page_size_query_param)
        return min(size, self.max_page_size)

    def get_page_number(self, request, paginator):
        raw = request.query_params.get(self.page_query_param, "1")
        if raw in self.last_page_strings:
            return paginator.num_pages
        return positive_int(raw, self.page_query_param)


def positive_int(raw, name, *, maximum=2**31 - 1):
    value = int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 12 else 0
    if not 1 <= value <= maximum:
        raise exceptions.ValidationError(
            {name: [f"'{raw}' is not a whole number from 1 to {maximum}."]}
        )
    return value
