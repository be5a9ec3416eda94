"""Outermost middleware of the bench server: how long Django itself took, in a response header.

The load test reads it to tell time spent in the application from time spent queueing for
a worker (the client's latency includes both).
"""

import time


class ServerTiming:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        start = time.perf_counter()
        response = self.get_response(request)
        response["Server-Timing"] = f"app;dur={(time.perf_counter() - start) * 1000:.2f}"
        return response
