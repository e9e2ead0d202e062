from http import HTTPStatus
from typing import Any

import httpx

from ...client import AuthenticatedClient, Client
from ...models.batch_result import BatchResult
from ...models.error_response import ErrorResponse
from ...models.import_and_start_batch_request import ImportAndStartBatchRequest
from ...types import Response


def _get_kwargs(
    *,
    body: ImportAndStartBatchRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1.1/campaigns/triggers/import_and_start_batch",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> BatchResult | ErrorResponse | ErrorResponse:
    if response.status_code == 200:

        def _parse_response_200(data: object) -> BatchResult | ErrorResponse:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                response_200_type_0 = BatchResult.from_dict(data)

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
) -> Response[BatchResult | ErrorResponse | ErrorResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: ImportAndStartBatchRequest,
) -> Response[BatchResult | ErrorResponse | ErrorResponse]:
    """Bulk profile import + trigger launch

     Add or update multiple profiles and then send a trigger campaign. This request is a batch
    version of the Profile import + trigger campaign launch request. The request body size is
    limited by default to 10 Mb, exception for files — 100 Mb.

    Not from these pages: the advice against more than 10,000 profiles per request is printed only by
    en-v72-workflow-task (en_v72_workflows_import_and_start_batch_task.txt l.13); this spec applies it
    here too
    (`recommended_max_profiles_per_request`, a warning only).

    Args:
        body (ImportAndStartBatchRequest): Bulk profile import + trigger campaign launch, answered
            when done.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[BatchResult | ErrorResponse | ErrorResponse]
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
    body: ImportAndStartBatchRequest,
) -> BatchResult | ErrorResponse | ErrorResponse | None:
    """Bulk profile import + trigger launch

     Add or update multiple profiles and then send a trigger campaign. This request is a batch
    version of the Profile import + trigger campaign launch request. The request body size is
    limited by default to 10 Mb, exception for files — 100 Mb.

    Not from these pages: the advice against more than 10,000 profiles per request is printed only by
    en-v72-workflow-task (en_v72_workflows_import_and_start_batch_task.txt l.13); this spec applies it
    here too
    (`recommended_max_profiles_per_request`, a warning only).

    Args:
        body (ImportAndStartBatchRequest): Bulk profile import + trigger campaign launch, answered
            when done.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        BatchResult | ErrorResponse | ErrorResponse
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: ImportAndStartBatchRequest,
) -> Response[BatchResult | ErrorResponse | ErrorResponse]:
    """Bulk profile import + trigger launch

     Add or update multiple profiles and then send a trigger campaign. This request is a batch
    version of the Profile import + trigger campaign launch request. The request body size is
    limited by default to 10 Mb, exception for files — 100 Mb.

    Not from these pages: the advice against more than 10,000 profiles per request is printed only by
    en-v72-workflow-task (en_v72_workflows_import_and_start_batch_task.txt l.13); this spec applies it
    here too
    (`recommended_max_profiles_per_request`, a warning only).

    Args:
        body (ImportAndStartBatchRequest): Bulk profile import + trigger campaign launch, answered
            when done.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[BatchResult | ErrorResponse | ErrorResponse]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: ImportAndStartBatchRequest,
) -> BatchResult | ErrorResponse | ErrorResponse | None:
    """Bulk profile import + trigger launch

     Add or update multiple profiles and then send a trigger campaign. This request is a batch
    version of the Profile import + trigger campaign launch request. The request body size is
    limited by default to 10 Mb, exception for files — 100 Mb.

    Not from these pages: the advice against more than 10,000 profiles per request is printed only by
    en-v72-workflow-task (en_v72_workflows_import_and_start_batch_task.txt l.13); this spec applies it
    here too
    (`recommended_max_profiles_per_request`, a warning only).

    Args:
        body (ImportAndStartBatchRequest): Bulk profile import + trigger campaign launch, answered
            when done.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        BatchResult | ErrorResponse | ErrorResponse
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
