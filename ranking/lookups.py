"""Query lookups the database would otherwise fail on.

Django answers `id=2**64` and `id__gt=2**64` with no rows (its integer lookups know the
database's range) but passes `id__in=2**64` through, and SQLite then raises OverflowError: an
admin address such as `?id__in=18446744073709551616` answered 500. Numbers no row can hold are
left out of the list here, so the filter means what it says and the page answers.
"""

from django.db.models import IntegerField
from django.db.models.lookups import In


@IntegerField.register_lookup
class IntegerFieldIn(In):
    def process_rhs(self, compiler, connection):
        if self.rhs_is_direct_value():
            low, high = connection.ops.integer_field_range(self.lhs.output_field.get_internal_type())
            self.rhs = [
                value
                for value in self.rhs
                if not isinstance(value, int)
                or ((low is None or value >= low) and (high is None or value <= high))
            ]
        return super().process_rhs(compiler, connection)
