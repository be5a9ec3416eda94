"""Sign-in protection: which address a request comes from, behind the site's proxies."""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str | None:
    """The address of the person sending `request`, as django-axes records and locks it.

    Behind PROXY_COUNT reverse proxies, each adding the address it was reached from to
    X-Forwarded-For, the connection comes from the nearest proxy and the client is the address
    the outermost one saw: the PROXY_COUNT-th entry from the right. Entries further left are
    whatever the client wrote and are never trusted. A header shorter than that, or an entry
    that is no address, leaves the connection's own address.
    """
    own = request.META.get("REMOTE_ADDR")
    count = settings.PROXY_COUNT
    if count <= 0:
        return own
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if len(forwarded) < count:
        return own
    try:
        return str(ipaddress.ip_address(forwarded[-count]))
    except ValueError:
        return own
