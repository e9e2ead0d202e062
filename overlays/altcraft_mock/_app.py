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
from ._state import MockState, Refused, pack, sub_phone
from ._validate import OPERATION_CHECKS, Invalid, is_int

__all__ = ["ConnectionDropped", "MockApp", "MockConfig", "create_app"]

logger = logging.getLogger("altcraft_mock")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

STATE_PAGE_MAX = 100_000

ROUTES: dict[str, str] = {
    "/api/v1.1/profiles/import": "import_profile",
    "/api/v1.1/campaigns/triggers/import_and_start_batch": "import_and_start_batch",
    "/api/v1.1/campaigns/triggers/import_and_start_batch_task": "import_and_start_batch_task",
    "/api/v1.1/workflows/import_and_start_batch_task": "workflow_import_and_start_batch_task",
    "/api/v1.1/tasks/status": "task_status",
}


def _segment_ids(value: list[Any]) -> list[int]:
    """The segment ids of add_to_segments / remove_from_segments ("JSON список [1,2]": the integer type is
    only shown by the example, so it is not a 400): a value that is no integer names no segment, a 404."""
    ids = []
    for seg in value:
        if not is_int(seg):
            raise Refused(404, "Segment not found", f"segment {seg!r}")
        ids.append(int(seg))
    return ids


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


def _media(content_type: str) -> str | None:
    """The body format a Content-Type names: "json", "xml", or None for any other (or none)."""
    media = content_type.split(";", 1)[0].strip().lower()
    if media == "application/json":
        return "json"
    if media in ("application/xml", "text/xml"):
        return "xml"
    return None


def _is_xml(content_type: str) -> bool:
    return _media(content_type) == "xml"


def _json_bytes(payload: Any) -> bytes:
    try:
        return orjson.dumps(payload, option=orjson.OPT_NON_STR_KEYS)
    except orjson.JSONEncodeError:
        # Never reached by the emulator's own answers; a last resort rather than an error page.
        return json.dumps(payload, ensure_ascii=True, default=str).encode()


def _render(status: int, payload: dict[str, Any], fmt: str) -> Response:
    headers = {"Allow": "POST"} if status == 405 else None
    if fmt == "xml":
        return Response(_xml.dumps(payload), status_code=status, media_type="application/xml", headers=headers)
    return Response(_json_bytes(payload), status_code=status, media_type="application/json", headers=headers)


def _loads_json(raw: bytes) -> Any:
    """JSON as orjson reads it, which is how the emulator reads every number and string.

    Integers are exact within 64 bits and doubles beyond (Altcraft, a Go server, reads free-form numbers
    as float64); a number beyond the double range, a lone surrogate escape (not a character), NaN or
    Infinity, nesting deeper than 1024 and invalid UTF-8 raise ValueError.
    """
    return orjson.loads(raw)


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
            try:
                response = await self._inspect(request)
            except _Reply as reply:
                response = _render(reply.status, reply.payload, "json")
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
        if path in ("/_mock/state", "/_mock/state/summary") and method == "GET":
            self.state.advance()
            return Response(_json_bytes(self._state_view(request, path)), media_type="application/json")
        if path == "/_mock/reset" and method == "POST":
            self.state.reset()
            return Response(orjson.dumps({"reset": True}), media_type="application/json")
        return _render(404, _envelope(404, "Not found", f"{method} {path}"), "json")

    def _state_view(self, request: Request, path: str) -> dict[str, Any]:
        query = request.query_params
        unknown = set(query) - {"summary", "section", "offset", "limit", "fields"}
        if unknown:
            raise _Reply(400, _envelope(400, C.INVALID_REQUEST, f"unknown parameter(s): {', '.join(sorted(unknown))}"))
        if path.endswith("/summary") or query.get("summary", "") in ("1", "true"):
            return self.state.summary()
        section = query.get("section")
        if section is None:
            return self.state.snapshot()
        offset = _query_int(query.get("offset", "0"), "offset", 0, None)
        limit = _query_int(query.get("limit", "1000"), "limit", 1, STATE_PAGE_MAX)
        names = [n for n in query.get("fields", "").split(",") if n]
        st = self.state
        items: list[Any]
        if section == "profiles":
            total = len(st.profiles)
            if names:
                items = [
                    [pid, *(orjson.Fragment(pack(fields.get(n))) for n in names)]
                    for pid, packed in st.profile_items(offset, limit)
                    for fields in (orjson.loads(packed)["fields"],)
                ]
            else:
                items = [st.profile_json(pid, packed) for pid, packed in st.profile_items(offset, limit)]
        elif section in ("trigger_launches", "workflow_entries"):
            log = st.trigger_launches if section == "trigger_launches" else st.workflow_entries
            total = len(log)
            entries = log.entries(offset, limit)
            items = [[e.get(n) for n in names] for e in entries] if names else list(entries)
        elif section == "tasks":
            total = len(st.tasks)
            items = [t.snapshot() for t in list(st.tasks.values())[offset : offset + limit]]
        else:
            sections = "profiles, trigger_launches, workflow_entries, tasks"
            raise _Reply(400, _envelope(400, C.INVALID_REQUEST, f"section: must be one of {sections}"))
        return {"section": section, "total": total, "offset": offset, "limit": limit, "items": items}

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
            content_type = request.headers.get("content-type", "")
            media = _media(content_type)
            if media is None:
                shown = content_type.split(";", 1)[0].strip() or "(none)"
                debug = f"Content-Type {shown} is not accepted: send application/json or application/xml"
                raise _Reply(400, _envelope(400, C.INVALID_REQUEST, debug))
            raw = await self._read_body(request)
            body, fmt = self._parse(raw, media, operation)
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
        except Refused as exc:
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

    def _parse(self, raw: bytes, media: str, operation: str) -> tuple[dict[str, Any], str]:
        fmt = media
        if media == "xml":
            try:
                body: Any = _xml.loads(raw, operation, huge=len(raw) > self.config.max_body_bytes)
            except _xml.XMLRejected as exc:
                raise _Reply(400, _envelope(400, C.INVALID_REQUEST, str(exc))) from None
        else:
            try:
                body = _loads_json(raw)
            except ValueError as exc:
                raise _Reply(400, _envelope(400, C.INVALID_REQUEST, f"malformed JSON: {exc}")) from None
            if not isinstance(body, dict):
                raise _Reply(400, _envelope(400, C.INVALID_REQUEST, "the body must be a JSON object"))
        if body.get("format") in C.FORMATS:
            fmt = body["format"]
        attach = body.get("attach")
        if len(raw) > self.config.max_body_bytes and not (isinstance(attach, list) and attach):
            raise _Reply(400, _envelope(400, C.INVALID_REQUEST, C.TOO_LARGE_DEBUG))
        return body, fmt

    def _authenticate(self, request: Request, body: Mapping[str, Any]) -> None:
        if "token" in body and not isinstance(body["token"], str):
            # The docs' token is a string; another type is a malformed request, whatever the header says.
            raise _Reply(400, _envelope(400, C.INVALID_REQUEST, "token: must be a string (the API token)"))
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
            raise Refused(404, "Database not found", f"db_id {db}")
        add = _segment_ids(body.get("add_to_segments", []))
        remove = _segment_ids(body.get("remove_from_segments", []))
        for seg in add + remove:
            if st.segments.get(seg) != db:
                raise Refused(404, "Segment not found", f"segment {seg}")
        mode = body.get("matching", "email")
        profile_id, _ = st.upsert(
            db,
            mode,
            body,
            body["data"],
            skip_invalid=bool(body.get("skip_invalid_subscriptions", False)),
            add_segments=add,
            remove_segments=remove,
        )
        return {"error": 0, "error_text": C.OK_TEXT, "profile_id": profile_id}

    def _run_batch(self, body: dict[str, Any], operation: str, task_id: str | None) -> dict[str, Any]:
        st = self.state
        if "workflow_id" in body:
            target_id = int(body["workflow_id"])
            db = st.workflows.get(target_id)
            if db is None:
                return _envelope(404, "Workflow not found", f"workflow_id {target_id}")
            log = st.workflow_entries
        else:
            target_id = int(body["trigger_id"])
            db = st.triggers.get(target_id)
            if db is None:
                return _envelope(404, "Trigger not found", f"trigger_id {target_id}")
            log = st.trigger_launches
        mode = body.get("matching", "email")
        skip_invalid = bool(body.get("skip_invalid_subscriptions", False))
        root_custom = body.get("custom_data") or {}
        try:
            request = log.start_request(operation, task_id, body)
        except Refused as exc:
            return _envelope(exc.code, exc.text, exc.debug)
        result = []
        for item in body.get("data", ()):
            data = item["data"]
            try:
                own = item.get("custom_data")
                custom = pack({**root_custom, **own}) if own else None
                profile_id, _ = st.upsert(db, mode, _batch_key(mode, body, data), data, skip_invalid=skip_invalid)
            except Refused:
                continue  # the item is not imported and not in the result
            result.append({"profile_id": profile_id})
            log.add(request, target_id, profile_id, custom)
        # The docs' task result carries an empty error_text; the synchronous answer "Successful operation".
        return {"error": 0, "error_text": "" if task_id else C.OK_TEXT, "result": result}

    def _op_import_and_start_batch(self, body: dict[str, Any]) -> dict[str, Any]:
        outcome = self._run_batch(body, "import_and_start_batch", None)
        if outcome["error"] != 0:
            raise Refused(outcome["error"], outcome["error_text"], outcome.get("error_debug", ""))
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
            raise Refused(404, "Task not found", f"task_id {body['task_id']}")
        data: dict[str, Any] = {"status": task.status, "progress": task.progress}
        if task.result is not None:
            data["result"] = task.result_value()
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
        phone = sub_phone(sub)
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


def _query_int(text: str, name: str, minimum: int, maximum: int | None) -> int:
    if not text.isdigit() or len(text) > 12:
        raise _Reply(400, _envelope(400, C.INVALID_REQUEST, f"{name}: must be a whole number"))
    value = int(text)
    if value < minimum or (maximum is not None and value > maximum):
        bound = f"between {minimum} and {maximum}" if maximum is not None else f">= {minimum}"
        raise _Reply(400, _envelope(400, C.INVALID_REQUEST, f"{name}: must be {bound}"))
    return value
