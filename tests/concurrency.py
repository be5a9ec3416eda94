"""Two requests at once in a test: each on its own thread and database connection."""

import threading

from django.core.exceptions import PermissionDenied
from django.db import connection

from ranking.errors import ServiceError


class Step(threading.Thread):
    """One request on its own database connection; `outcome` tells how it ended:
    ("done", its result), ("refused", the refusal's text) or ("error", the unexpected error)."""

    def __init__(self, name: str, work):
        super().__init__(name=name, daemon=True)
        self.work = work
        self.outcome: tuple[str, object] | None = None

    def run(self) -> None:
        try:
            self.outcome = ("done", self.work())
        except (PermissionDenied, ServiceError) as refusal:
            self.outcome = ("refused", str(refusal))
        except Exception as error:  # reported by the test, never left in the thread
            self.outcome = ("error", repr(error))
        finally:
            connection.close()
