from http import HTTPStatus
from typing import Any

import httpx

from ...client import AuthenticatedClient, Client
from ...models.error_response import ErrorResponse
from ...models.import_profile_request import ImportProfileRequest
from ...models.profile_imported import ProfileImported
from ...types import Response


def _get_kwargs(
    *,
    body: ImportProfileRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1.1/profiles/import",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorResponse | ErrorResponse | ProfileImported:
    if response.status_code == 200:

        def _parse_response_200(data: object) -> ErrorResponse | ProfileImported:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                response_200_type_0 = ProfileImported.from_dict(data)

                return response_200_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, dict):
                raise TypeError()
            response_200_type_1 = ErrorResponse.from_dict(data)

            return response_200_type_1

        response_200 = _parse_response_200(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = ErrorResponse.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = ErrorResponse.from_dict(response.json())

        return response_401

    if response.status_code == 402:
        response_402 = ErrorResponse.from_dict(response.json())

        return response_402

    if response.status_code == 403:
        response_403 = ErrorResponse.from_dict(response.json())

        return response_403

    response_default = ErrorResponse.from_dict(response.json())

    return response_default


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ErrorResponse | ErrorResponse | ProfileImported]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: ImportProfileRequest,
) -> Response[ErrorResponse | ErrorResponse | ProfileImported]:
    """Import a profile

     Adds a customer profile to a database. The same request can update a profile that is already
    in the database. Send `Content-Type: application/json` with a JSON body and
    `Content-Type: application/xml` with an XML body.

    Args:
        body (ImportProfileRequest): Import (add or update) one profile in a database. Each
            matching mode needs its fields in the body
            (ru_v74_profiles_import.txt l.116); which ones is assumed (`x-assumed`, see
            ProfileMatchingMode).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | ErrorResponse | ProfileImported]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    body: ImportProfileRequest,
) -> ErrorResponse | ErrorResponse | ProfileImported | None:
    """Import a profile

     Adds a customer profile to a database. The same request can update a profile that is already
    in the database. Send `Content-Type: application/json` with a JSON body and
    `Content-Type: application/xml` with an XML body.

    Args:
        body (ImportProfileRequest): Import (add or update) one profile in a database. Each
            matching mode needs its fields in the body
            (ru_v74_profiles_import.txt l.116); which ones is assumed (`x-assumed`, see
            ProfileMatchingMode).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | ErrorResponse | ProfileImported
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: ImportProfileRequest,
) -> Response[ErrorResponse | ErrorResponse | ProfileImported]:
    """Import a profile

     Adds a customer profile to a database. The same request can update a profile that is already
    in the database. Send `Content-Type: application/json` with a JSON body and
    `Content-Type: application/xml` with an XML body.

    Args:
        body (ImportProfileRequest): Import (add or update) one profile in a database. Each
            matching mode needs its fields in the body
            (ru_v74_profiles_import.txt l.116); which ones is assumed (`x-assumed`, see
            ProfileMatchingMode).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | ErrorResponse | ProfileImported]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: ImportProfileRequest,
) -> ErrorResponse | ErrorResponse | ProfileImported | None:
    """Import a profile

     Adds a customer profile to a database. The same request can update a profile that is already
    in the database. Send `Content-Type: application/json` with a JSON body and
    `Content-Type: application/xml` with an XML body.

    Args:
        body (ImportProfileRequest): Import (add or update) one profile in a database. Each
            matching mode needs its fields in the body
            (ru_v74_profiles_import.txt l.116); which ones is assumed (`x-assumed`, see
            ProfileMatchingMode).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | ErrorResponse | ProfileImported
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
