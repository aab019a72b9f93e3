"""One trip to the thread pool per request: the set-up, the route, its answer and the end of its
transaction in the same worker thread (issue 16).

FastAPI runs each plain ``def`` (a route, a dependency, the check of a route's answer against its
response model) in a trip of its own to the thread pool, and a dependency's end in another. A
page then went to the pool three times (its set-up, the route, the commit) and an API list four
or five (the rate limit's count, the set-up, the route, the check of its answer, the commit).
Each trip hands the request from the event loop to a thread and back; under load, with every
thread wanting the interpreter's lock, those hand-overs cost as much as the route itself.

:class:`OneTripRoute`, the route class of every router of the app (:func:`router`), wraps a
plain ``def`` route in a function that, in the route's one trip:

1. finds what the request's dependencies deferred to it (:class:`app.accounts.deps.Setup`): the
   rate limit's count, the signed-in user, the workspace context and the role checks — same
   checks, same order, same errors as when the dependencies found them;
2. runs the route with those values in place of the :class:`~app.accounts.deps.Pending` ones;
3. checks and writes its answer against the response model, as FastAPI would after it;
4. ends the transaction (commit, or roll back on an error) and closes the session.

The dependencies defer only on a route whose every dependency that takes such a value, or the
session, is marked ``defers_setup`` (those of ``app.accounts.deps``, the request page's form): a
route with another (the invitation pages' ``_open_invitation``, which sets the scope for
row-level security to the invitation's workspace) keeps finding its set-up first, as before.

Why it matters beyond speed: on SQLite, a request that changes something holds the write lock
from its first statement to its commit. Across several trips it held the lock while waiting for a
thread, and with every thread taken by requests waiting for that lock nothing moved until
SQLite's busy timeout (seen with four threads: writes answered 503 after 5 s, or not at all).
In one trip a request never waits for a thread while holding the lock."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Request, Response
from fastapi.datastructures import DefaultPlaceholder
from fastapi.dependencies.utils import get_dependant
from fastapi.exceptions import RequestValidationError, ResponseValidationError
from fastapi.routing import APIRoute
from fastapi.utils import is_body_allowed_for_status_code
from sqlalchemy.orm import Session

from app import ratelimit
from app.accounts.deps import (
    SETUP,
    Context,
    DbSession,
    Pending,
    Setup,
    api_caller,
    api_context,
    optional_user,
    page_context,
)
from app.db import ENDED, ENDS_SESSION, end_in_route, get_session
from app.errors import (
    AppError,
    Forbidden,
    NotAuthenticated,
    app_error_response,
    validation_response,
)

# The wrapped route's own parameters, after the route's: FastAPI fills them as for any route.
_REQUEST = "samspill_one_trip_request"
_SESSION = "samspill_one_trip_session"
_RESPONSE = "samspill_one_trip_response"


async def _the_request(request: Request) -> Request:
    return request


async def _the_response(response: Response) -> Response:
    """The response FastAPI gives a route that asks for one (``response: Response``), shared by
    all its dependencies: its status code and headers go onto the route's answer."""
    return response


def find(setup: Setup, request: Request, session: Session) -> dict[str, Any]:
    """The values a request's dependencies deferred, by :class:`Pending` kind, found in the
    route's trip: the rate limit's count first, then the API caller and context, the page's
    context, the user; each role check right after its context (403)."""
    setup.found = True
    found: dict[str, Any] = {}
    if setup.count is not None:
        ratelimit.count(setup.count, request, session)
    if setup.api:
        if setup.api_slug is not None:
            ctx = api_context(request, session, setup.api_slug)
            found["caller"] = (ctx.user, ctx.workspace.id if ctx.via_token else None)
            found["api"] = ctx
        else:
            found["caller"] = api_caller(request, session)
    if setup.api_context_slug is not None:
        known = found.get("api")
        if isinstance(known, Context) and known.workspace.slug == setup.api_context_slug:
            api_ctx = known
        else:
            found["api"] = api_ctx = api_context(request, session, setup.api_context_slug)
        for action in setup.api_actions:
            if not api_ctx.can(action):
                raise Forbidden()
    if setup.page_slug is not None:
        ctx = found["page"] = page_context(request, session, setup.page_slug)
        for action in setup.page_actions:
            if not ctx.can(action):
                raise Forbidden()
    if setup.user:
        page = found.get("page")
        user = page.user if isinstance(page, Context) else optional_user(request, session)
        if user is None and setup.user_required:
            raise NotAuthenticated()
        found["user"] = user
    return found


def _uses_session(dependant: Any) -> bool:
    """Whether the route or one of its dependencies takes the request's session."""
    return any(sub.call is get_session or _uses_session(sub) for sub in dependant.dependencies)


def _consumes_deferred(dependant: Any) -> bool:
    """Whether a dependency of the route that is not marked ``defers_setup`` takes a value that
    could be deferred, or the session itself (what it does with it — the invitation's scope
    for row-level security — would come before the set-up, which would undo it): then the
    route's set-up is found as before, not deferred."""

    def defers(sub: Any) -> bool:
        return bool(getattr(sub.call, "defers_setup", False)) or any(
            defers(inner) for inner in sub.dependencies
        )

    def unsafe(node: Any) -> bool:
        for sub in node.dependencies:
            marked = getattr(sub.call, "defers_setup", False)
            if not marked and any(
                defers(inner) or inner.call is get_session for inner in sub.dependencies
            ):
                return True
            if unsafe(sub):
                return True
        return False

    return unsafe(dependant)


class OneTripRoute(APIRoute):
    """A route whose plain ``def`` endpoint makes one trip to the thread pool (see the module's
    text). ``async def`` routes and generators are left as they are."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        self.one_trip = _wrappable(endpoint)
        self.defers_setup = False
        if self.one_trip:
            dependant = get_dependant(path=path, call=endpoint)
            # A route that takes no session (a form with no data) makes its one trip already.
            self.one_trip = _uses_session(dependant)
            self.defers_setup = self.one_trip and not _consumes_deferred(dependant)
        if self.one_trip:
            endpoint = _wrap(endpoint, self)
        super().__init__(path, endpoint, **kwargs)

    def answer(self, content: Any, response: Response) -> Response | None:
        """The route's answer checked and written against its response model, as FastAPI does
        after the route (its "serialization"), or None when FastAPI should do it (no response
        model, or a response class of the route's own)."""
        field = self.response_field
        if field is None or not isinstance(self.response_class, DefaultPlaceholder):
            return None
        value, errors = field.validate(content, {}, loc=("response",))
        if errors:
            raise ResponseValidationError(errors=errors, body=content)
        body = field.serialize_json(
            value,
            include=self.response_model_include,
            exclude=self.response_model_exclude,
            by_alias=self.response_model_by_alias,
            exclude_unset=self.response_model_exclude_unset,
            exclude_defaults=self.response_model_exclude_defaults,
            exclude_none=self.response_model_exclude_none,
        )
        status = response.status_code or self.status_code or 200
        answer = Response(
            content=body if is_body_allowed_for_status_code(status) else b"",
            media_type="application/json",
            status_code=status,
        )
        answer.headers.raw.extend(response.headers.raw)
        return answer


def _wrappable(endpoint: Callable[..., Any]) -> bool:
    function = inspect.unwrap(endpoint)
    if not inspect.isfunction(function):
        return False
    if inspect.iscoroutinefunction(function) or inspect.isgeneratorfunction(function):
        return False
    if inspect.isasyncgenfunction(function):
        return False
    kinds = {p.kind for p in inspect.signature(endpoint).parameters.values()}
    return not kinds & {inspect.Parameter.VAR_KEYWORD, inspect.Parameter.VAR_POSITIONAL}


def _wrap(endpoint: Callable[..., Any], route: OneTripRoute) -> Callable[..., Any]:
    @functools.wraps(endpoint)
    def in_one_trip(**values: Any) -> Any:
        request: Request = values.pop(_REQUEST)
        session: Session = values.pop(_SESSION)
        response: Response = values.pop(_RESPONSE)
        try:
            setup = request.scope.get(SETUP)
            if isinstance(setup, Setup):
                found = find(setup, request, session)
                for name, value in values.items():
                    if isinstance(value, Pending):
                        values[name] = found[value.kind]
            content = endpoint(**values)
            answer = content if isinstance(content, Response) else route.answer(content, response)
            if answer is None:
                return content  # FastAPI checks it; the session ends after, as before
            end_in_route(session, commit=True)
            return answer
        except BaseException:
            if not session.info.get(ENDED):
                end_in_route(session, commit=False)
            raise

    parameters = list(inspect.signature(endpoint).parameters.values())
    parameters += [
        inspect.Parameter(
            _REQUEST,
            inspect.Parameter.KEYWORD_ONLY,
            annotation=Annotated[Request, Depends(_the_request)],
        ),
        inspect.Parameter(_SESSION, inspect.Parameter.KEYWORD_ONLY, annotation=DbSession),
        inspect.Parameter(
            _RESPONSE,
            inspect.Parameter.KEYWORD_ONLY,
            annotation=Annotated[Response, Depends(_the_response)],
        ),
    ]
    in_one_trip.__signature__ = inspect.signature(endpoint).replace(  # type: ignore[attr-defined]
        parameters=parameters
    )
    return in_one_trip


class Router(APIRouter):
    """An ``APIRouter`` whose routes are :class:`OneTripRoute`: the router of every module."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("route_class", OneTripRoute)
        super().__init__(**kwargs)


def refused_before_invalid(request: Request, exc: RequestValidationError) -> Response:
    """The answer to a request FastAPI found invalid (422) before its route ran: when the route
    deferred its set-up, the set-up is found first, so that a caller who may not make the request
    is refused as before (401, 403 for a read-only token's write, 404 in another workspace)
    rather than told what was wrong with it. In the request's own session, begun anew (its
    transaction ended with the error) and ended here."""
    setup = request.scope.get(SETUP)
    if isinstance(setup, Setup) and not setup.found and isinstance(setup.session, Session):
        session = setup.session
        try:
            find(setup, request, session)
        except AppError as refusal:
            return app_error_response(request, refusal)
        finally:
            end = session.info.get(ENDS_SESSION)
            if end is not None:
                end(session, False)
            else:
                session.rollback()  # a test's session, which its test ends
    return validation_response(request, exc)


def install(app: FastAPI) -> None:
    """Refusals before validation errors on the routes that defer their set-up."""
    app.add_exception_handler(RequestValidationError, refused_before_invalid)  # type: ignore[arg-type]
