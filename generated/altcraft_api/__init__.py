"""A client library for accessing Altcraft API — profile import, trigger and workflow launch, tasks"""

from .client import AuthenticatedClient, Client

__all__ = (
    "AuthenticatedClient",
    "Client",
)
