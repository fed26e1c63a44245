"""Pages of wide lists: the page's keys first, then the page's rows.

A list whose rows join several tables (and compute an expensive column) and are ordered by a joined
column makes the database join every row before it can sort and keep one page: at national scale, 15,000
objectives joined to five tables to show 50. ``DeferredJoinPaginator`` asks first for the page's primary
keys, which needs only the joins the ordering and the filters use, then for those rows with every join,
annotation and prefetch. Two short queries instead of one long one; the page's content and order are the
same as with Django's ``Paginator``.
"""

from django.core.paginator import Paginator


class DeferredJoinPaginator(Paginator):
    """Django's Paginator, for querysets only, fetching a page by its keys (see the module's docstring)."""

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        keys = list(self.object_list.values_list("pk", flat=True)[bottom:top])
        rows = {row.pk: row for row in self.object_list.filter(pk__in=keys).order_by()}
        # A row changed between the two queries so that it no longer matches is left out, not an error.
        return self._get_page([rows[key] for key in keys if key in rows], number, self)
