"""Path converters of the application's URLs."""


class RowId:
    """The id of a row: digits that fit the database's 64-bit integer, else no match (404).

    Django's `int` takes any number of digits; past 2**63 - 1, SQLite raises OverflowError on
    the query instead of finding no row.
    """

    regex = "[0-9]{1,19}"
    largest = 2**63 - 1

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > self.largest:
            raise ValueError(value)  # the URL matches no pattern
        return number

    def to_url(self, value: int) -> str:
        return str(value)
