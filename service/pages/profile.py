"""The signed-in worker's own work details, as the forms fill them in for the user."""

from __future__ import annotations

from flask import g, has_request_context

from service.web.gate import accounts


def own_details() -> dict:
    """The signed-in user's own work details (name, title, organisation, unit, work phone and
    e-mail), empty for an API token or a proxy user, who have no account page."""
    identity = g.get("identity") if has_request_context() else None
    if identity is None or identity.kind != "session":
        return {}
    return accounts().profile(identity.name)
