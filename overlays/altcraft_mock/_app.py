"""The emulator as an ASGI application."""

from __future__ import annotations

import asyncio
import json
import logging
import tempfile
import time
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from dataclasses import dataclass
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from . import _constants as C
from . import _xml
from ._state import ImportError_, MockState
from ._validate import OPERATION_CHECKS, Invalid

__all__ = ["ConnectionDropped", "MockApp", "MockConfig", "create_app"]

logger = logging.getLogger("altcraft_mock")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

ROUTES: dict[str, str] = {
    "/api/v1.1/profiles/import": "import_profile",
    "/api/v1.1/campaigns/triggers/import_and_start_batch": "import_and_start_batch",
    "/api/v1.1/campaigns/triggers/import_and_start_batch_task": "import_and_start_batch_task",
    "/api/v1.1/workflows/import_and_start_batch_task": "workflow_import_and_start_batch_task",
    "/api/v1.1/tasks/status": "task_status",
}


@dataclass
class MockConfig:
    """How the emulator behaves: tokens, task duration, injected faults."""

    tokens: tuple[str, ...] = (C.DEFAULT_TOKEN,)
    task_seconds: float = 2.0
    latency_ms: float = 0.0
    fail_rate: float = 0.0
    drop_rate: float = 0.0
    seed: int | None = None
    max_body_bytes: int = C.MAX_BODY_BYTES
    max_body_bytes_with_files: int = C.MAX_BODY_BYTES_WITH_FILES


class ConnectionDropped(Exception):
    """Raised after the response has started, so that the server closes the connection mid-response."""


class _TooLarge(Exception):
    pass


class _Reply(Exception):
    def __init__(self, status: int, payload: dict[str, Any]) -> None:
        super().__init__(payload.get("error_text"))
        self.status = status
        self.payload = payload


def _envelope(code: int, text: str, debug: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"error": code, "error_text": text}
    if debug:
        out["error_debug"] = debug
    return out


def _is_xml(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media in ("application/xml", "text/xml") or media.endswith("+xml")


def _render(status: int, payload: dict[str, Any], fmt: str) -> Response:
    headers = {"Allow": "POST"} if status == 405 else None
    if fmt == "xml":
        return Response(_xml.dumps(payload), status_code=status, media_type="application/xml", headers=headers)
    return Response(orjson.dumps(payload), status_code=status, media_type="application/json", headers=headers)


def _loads_json(raw: bytes) -> Any:
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        # orjson refuses integers beyond 64 bits, which JSON allows; the standard parser takes them.
        def no_constants(name: str) -> Any:
            raise ValueError(f"{name} is not JSON")

        return json.loads(raw, parse_constant=no_constants)


class MockApp:
    """ASGI app of altcraft-mock; ``state`` is the live emulator state."""

    def __init__(self, config: MockConfig | None = None, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.config = config or MockConfig()
        self.state = MockState(task_seconds=self.config.task_seconds, seed=self.config.seed, clock=clock)

    # ASGI ------------------------------------------------------------------------------------
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        path: str = scope["path"]
        request = Request(scope, receive)
        if path.startswith("/_mock/"):
            response = await self._inspect(request)
            await response(scope, receive, send)
            return
        cfg = self.config
        if cfg.latency_ms > 0:
            await asyncio.sleep(cfg.latency_ms / 1000)
        if cfg.fail_rate > 0 and self.state.rng.random() < cfg.fail_rate:
            fmt = "xml" if _is_xml(request.headers.get("content-type", "")) else "json"
            response = _render(503, _envelope(503, "Service temporarily unavailable", "injected fault"), fmt)
            await response(scope, receive, send)
            return
        drop = cfg.drop_rate > 0 and self.state.rng.random() < cfg.drop_rate
        response = await self.handle(request)
        if drop:
            # The request was processed; its answer is lost on the way back.
            await send({"type": "http.response.start", "status": response.status_code, "headers": response.raw_headers})
            raise ConnectionDropped("altcraft-mock dropped the connection (--drop-rate)")
        await response(scope, receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return

    # /_mock ----------------------------------------------------------------------------------
    async def _inspect(self, request: Request) -> Response:
        path, method = request.url.path, request.method
        if path == "/_mock/state" and method == "GET":
            self.state.advance()
            return Response(
                orjson.dumps(self.state.snapshot(), option=orjson.OPT_NON_STR_KEYS), media_type="application/json"
            )
        if path == "/_mock/reset" and method == "POST":
            self.state.reset()
            return Response(orjson.dumps({"reset": True}), media_type="application/json")
        return _render(404, _envelope(404, "Not found", f"{method} {path}"), "json")

    # /api ------------------------------------------------------------------------------------
    async def handle(self, request: Request) -> Response:
        """Answer one API request (never raises; every failure is an envelope)."""
        fmt = "xml" if _is_xml(request.headers.get("content-type", "")) else "json"
        try:
            operation = ROUTES.get(request.url.path)
            if operation is None:
                raise _Reply(404, _envelope(404, "Not found", f"no operation at {request.url.path}"))
            if request.method != "POST":
                raise _Reply(405, _envelope(405, "Method not allowed", f"{request.method}: use POST"))
            raw = await self._read_body(request)
            body, fmt = self._parse(raw, request.headers.get("content-type", ""), operation)
            self._authenticate(request, body)
            try:
                OPERATION_CHECKS[operation](body)
            except Invalid as exc:
                raise _Reply(400, _envelope(400, C.INVALID_REQUEST, str(exc))) from None
            self.state.advance()
            payload = getattr(self, f"_op_{operation}")(body)
            return _render(200, payload, fmt)
        except _Reply as reply:
            return _render(reply.status, reply.payload, fmt)
        except ImportError_ as exc:
            return _render(200, _envelope(exc.code, exc.text, exc.debug), fmt)
        except Exception:  # the emulator must answer, even on its own bug
            logger.exception("altcraft-mock: internal error")
            return _render(500, _envelope(500, "Internal error", "altcraft-mock internal error"), fmt)

    async def _read_body(self, request: Request) -> bytes:
        cfg = self.config
        too_large = _Reply(400, _envelope(400, C.INVALID_REQUEST, C.TOO_LARGE_DEBUG))
        length = request.headers.get("content-length", "")
        if length.isdigit() and int(length) > cfg.max_body_bytes_with_files:
            raise too_large
        # Up to the plain limit in memory; a larger body spills to disk until it is known to carry files.
        with tempfile.SpooledTemporaryFile(max_size=cfg.max_body_bytes) as spool:
            size = 0
            async for chunk in request.stream():
                size += len(chunk)
                if size > cfg.max_body_bytes_with_files:
                    raise too_large
                spool.write(chunk)
            if size > cfg.max_body_bytes and not _mentions_attach(spool):
                raise too_large
            spool.seek(0)
            raw: bytes = spool.read()
        return raw

    def _parse(self, raw: bytes, content_type: str, operation: str) -> tuple[dict[str, Any], str]:
        xml = _is_xml(content_type) or (not content_type and raw.lstrip()[:1] == b"<")
        fmt = "xml" if xml else "json"
        if xml:
            try:
                body: Any = _xml.loads(raw, operation)
            except _xml.XMLRejected as exc:
                raise _Reply(400, _envelope(400, C.INVALID_REQUEST, str(exc))) from None
        else:
            try:
                body = _loads_json(raw)
            except (ValueError, RecursionError) as exc:
                raise _Reply(400, _envelope(400, C.INVALID_REQUEST, f"malformed JSON: {exc}")) from None
            if not isinstance(body, dict):
                raise _Reply(400, _envelope(400, C.INVALID_REQUEST, "the body must be a JSON object"))
        if body.get("format") in C.FORMATS:
            fmt = body["format"]
        if len(raw) > self.config.max_body_bytes and not body.get("attach"):
            raise _Reply(400, _envelope(400, C.INVALID_REQUEST, C.TOO_LARGE_DEBUG))
        return body, fmt

    def _authenticate(self, request: Request, body: Mapping[str, Any]) -> None:
        header = request.headers.get("authorization", "")
        token: object = None
        if header[:7].lower() == "bearer ":
            token = header[7:].strip()
        if not token:
            token = body.get("token")
        if not isinstance(token, str) or not token:
            raise _Reply(401, _envelope(401, "Unauthorized", "no API token in the body or the Authorization header"))
        if token not in self.config.tokens:
            raise _Reply(401, _envelope(401, "Unauthorized", "invalid API token"))

    # operations ------------------------------------------------------------------------------
    def _op_import_profile(self, body: dict[str, Any]) -> dict[str, Any]:
        st = self.state
        db = int(body["db_id"])
        if db not in st.databases:
            raise ImportError_(404, "Database not found", f"db_id {db}")
        segments = [int(s) for s in body.get("add_to_segments", []) + body.get("remove_from_segments", [])]
        for seg in segments:
            if st.segments.get(seg) != db:
                raise ImportError_(404, "Segment not found", f"segment {seg}")
        mode = body.get("matching", "email")
        profile, _ = st.upsert(
            db, mode, body, body["data"], skip_invalid=bool(body.get("skip_invalid_subscriptions", False))
        )
        profile.segments.update(int(s) for s in body.get("add_to_segments", []))
        profile.segments.difference_update(int(s) for s in body.get("remove_from_segments", []))
        return {"error": 0, "error_text": C.OK_TEXT, "profile_id": profile.profile_id}

    def _run_batch(self, body: dict[str, Any], operation: str, task_id: str | None) -> dict[str, Any]:
        st = self.state
        if "workflow_id" in body:
            target_key, target_id = "workflow_id", int(body["workflow_id"])
            db = st.workflows.get(target_id)
            if db is None:
                return _envelope(404, "Workflow not found", f"workflow_id {target_id}")
            log = st.workflow_entries
        else:
            target_key, target_id = "trigger_id", int(body["trigger_id"])
            db = st.triggers.get(target_id)
            if db is None:
                return _envelope(404, "Trigger not found", f"trigger_id {target_id}")
            log = st.trigger_launches
        mode = body.get("matching", "email")
        skip_invalid = bool(body.get("skip_invalid_subscriptions", False))
        root_custom = body.get("custom_data") or {}
        result = []
        for item in body["data"]:
            data = item["data"]
            try:
                profile, _ = st.upsert(db, mode, _batch_key(mode, body, data), data, skip_invalid=skip_invalid)
            except ImportError_:
                continue  # the item is not imported and not in the result
            result.append({"profile_id": profile.profile_id})
            entry: dict[str, Any] = {
                target_key: target_id,
                "profile_id": profile.profile_id,
                "operation": operation,
                "custom_data": {**root_custom, **(item.get("custom_data") or {})},
            }
            for key in ("timeout", "content", "attach", "subscription_filter", "custom_request", "skip_triggers"):
                if key in body:
                    entry[key] = body[key]
            if task_id is not None:
                entry["task_id"] = task_id
            log.append(entry)
        # The docs' task result carries an empty error_text; the synchronous answer "Successful operation".
        return {"error": 0, "error_text": "" if task_id else C.OK_TEXT, "result": result}

    def _op_import_and_start_batch(self, body: dict[str, Any]) -> dict[str, Any]:
        outcome = self._run_batch(body, "import_and_start_batch", None)
        if outcome["error"] != 0:
            raise ImportError_(outcome["error"], outcome["error_text"], outcome.get("error_debug", ""))
        return outcome

    def _start_task(self, body: dict[str, Any], operation: str) -> dict[str, Any]:
        def run(request: dict[str, Any]) -> dict[str, Any]:
            return self._run_batch(request, operation, task.task_id)

        task = self.state.add_task(operation, body, run)
        return {"error": 0, "error_text": C.OK_TEXT, "task_id": task.task_id}

    def _op_import_and_start_batch_task(self, body: dict[str, Any]) -> dict[str, Any]:
        return self._start_task(body, "import_and_start_batch_task")

    def _op_workflow_import_and_start_batch_task(self, body: dict[str, Any]) -> dict[str, Any]:
        return self._start_task(body, "workflow_import_and_start_batch_task")

    def _op_task_status(self, body: dict[str, Any]) -> dict[str, Any]:
        task = self.state.tasks.get(body["task_id"])
        if task is None:
            raise ImportError_(404, "Task not found", f"task_id {body['task_id']}")
        data: dict[str, Any] = {"status": task.status, "progress": task.progress}
        if task.result is not None:
            data["result"] = task.result
        return {"error": 0, "error_text": C.OK_TEXT, "data": data}


def _mentions_attach(spool: Any) -> bool:
    """Whether a spooled body names `attach` (JSON key or XML element), read in chunks from disk."""
    spool.seek(0)
    tail = b""
    while chunk := spool.read(1 << 20):
        window = tail + chunk
        if b'"attach"' in window or b"<attach" in window:
            return True
        tail = window[-16:]
    return False


def _first_phone(data: Mapping[str, Any]) -> object:
    phones = data.get("phones")
    if isinstance(phones, list):
        return phones[0] if phones else None
    if phones:
        return phones
    for sub in data.get("subscriptions") or []:
        phone = sub.get("phone") or (sub.get("cc_data") or {}).get("phone")
        if phone:
            return phone
    return None


def _batch_key(mode: str, body: Mapping[str, Any], data: Mapping[str, Any]) -> dict[str, Any]:
    """The matching key of one batch item: the root field if given, else the item's own data."""
    key = {
        k: body[k] for k in ("email", "phone", "profile_id", "field_name", "field_value", "resource_id") if k in body
    }
    if "email" not in key:
        email = data.get("email")
        if not email:
            email = next((s.get("email") for s in data.get("subscriptions") or [] if s.get("email")), None)
        if email:
            key["email"] = email
    if "phone" not in key:
        phone = _first_phone(data)
        if phone:
            key["phone"] = phone
    if "profile_id" not in key and isinstance(data.get("profile_id"), str):
        key["profile_id"] = data["profile_id"]
    if mode == "custom" and "field_value" not in key and key.get("field_name") in data:
        key["field_value"] = data[key["field_name"]]
    return key


def create_app(config: MockConfig | None = None, *, clock: Callable[[], float] = time.monotonic) -> MockApp:
    """Create the emulator's ASGI app (for uvicorn, or for httpx's in-process ``ASGITransport``)."""
    return MockApp(config, clock=clock)
