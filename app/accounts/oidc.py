"""OpenID Connect login through authlib: authorization code with PKCE (S256), state and nonce
checked, ``acr`` checked when configured. Works with Ansattporten, ID-porten, Entra ID and
Keycloak, configured by issuer URL."""

from __future__ import annotations

import logging
import secrets
import time
from datetime import timedelta
from typing import Any

import requests
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from app.accounts import service
from app.accounts.deps import SESSION_COOKIE, DbSession
from app.accounts.one_trip import Router
from app.accounts.views import after_login, safe_next, set_session_cookie
from app.config import Settings, get_settings
from app.db import end_transaction
from app.forms import FormData
from app.i18n import _
from app.web import render

log = logging.getLogger("samspill.oidc")
router = Router()

STATE_COOKIE = "samspill_oidc"
STATE_TTL = timedelta(minutes=10)
_metadata_cache: dict[str, tuple[float, dict[str, Any]]] = {}


class OidcError(Exception):
    pass


def metadata(settings: Settings) -> dict[str, Any]:
    issuer = (settings.oidc_issuer or "").rstrip("/")
    cached = _metadata_cache.get(issuer)
    if cached and cached[0] > time.monotonic():
        return cached[1]
    response = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=10)
    response.raise_for_status()
    data: dict[str, Any] = response.json()
    if str(data.get("issuer", "")).rstrip("/") != issuer:
        raise ValueError(f"discovery names issuer {data.get('issuer')!r}, configured {issuer!r}")
    _metadata_cache[issuer] = (time.monotonic() + 3600, data)
    return data


def _client(settings: Settings) -> OAuth2Session:
    return OAuth2Session(
        client_id=settings.oidc_client_id,
        client_secret=settings.oidc_client_secret,
        scope=settings.oidc_scopes,
        redirect_uri=f"{settings.base_url.rstrip('/')}/oidc/callback",
        code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_basic" if settings.oidc_client_secret else "none",
    )


def _failure(request: Request, message: str, status: int = 400) -> Response:
    return render(request, "accounts/oidc_error.html", {"message": message}, status_code=status)


@router.post("/oidc/start")
def start(request: Request, session: DbSession, data: FormData) -> Response:
    settings = get_settings()
    if not settings.oidc_enabled:
        return _failure(request, _("Innlogging med eID er ikke satt opp her."), 404)
    try:
        meta = metadata(settings)
    except (requests.RequestException, ValueError) as exc:
        log.warning("OIDC discovery failed: %s", exc)
        return _failure(
            request,
            _("Innloggingstjenesten svarer ikke akkurat nå. Prøv igjen om litt."),
            503,
        )
    pending = service.begin_oidc_login(session, safe_next(data.get("neste")), STATE_TTL)
    state, nonce, verifier = pending.state, pending.nonce, pending.code_verifier
    extra: dict[str, str] = {"nonce": nonce}
    if settings.oidc_acr:
        extra["acr_values"] = settings.oidc_acr
    url, _state = _client(settings).create_authorization_url(
        meta["authorization_endpoint"], state=state, code_verifier=verifier, **extra
    )
    response = RedirectResponse(url, status_code=303)
    response.set_cookie(
        STATE_COOKIE,
        state,
        max_age=int(STATE_TTL.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
        path="/oidc",
    )
    return response


def _verify_id_token(
    settings: Settings, meta: dict[str, Any], id_token: str, nonce: str
) -> dict[str, Any]:
    jwks = requests.get(meta["jwks_uri"], timeout=10)
    jwks.raise_for_status()
    keys = KeySet.import_key_set(jwks.json())
    algorithms = meta.get("id_token_signing_alg_values_supported") or ["RS256"]
    algorithms = [a for a in algorithms if a != "none"]
    try:
        token = jwt.decode(id_token, keys, algorithms=algorithms)
        registry = jwt.JWTClaimsRegistry(
            iss={"essential": True, "value": str(meta.get("issuer", settings.oidc_issuer))},
            aud={"essential": True, "value": str(settings.oidc_client_id)},
            exp={"essential": True},
            sub={"essential": True},
            nonce={"essential": True, "value": nonce},
        )
        registry.validate(token.claims)
    except (JoseError, ValueError) as exc:
        raise OidcError(f"id_token rejected: {exc}") from exc
    claims: dict[str, Any] = dict(token.claims)
    if settings.oidc_acr:
        wanted = set(settings.oidc_acr.split())
        if claims.get("acr") not in wanted:
            raise OidcError(f"acr {claims.get('acr')!r} is not one of {sorted(wanted)}")
    return claims


@router.get("/oidc/callback")
def callback(
    request: Request,
    session: DbSession,
    state: str | None = None,
    code: str | None = None,
    error: str | None = None,
) -> Response:
    """The identity provider sends the browser back here. This is the one GET that signs a
    person in; it is bound to the flow by ``state`` (cookie and database) and PKCE."""
    settings = get_settings()
    cookie_state = request.cookies.get(STATE_COOKIE)
    if error:
        return _failure(request, _("Innloggingen ble avbrutt. Prøv igjen."))
    if not state or not code or not cookie_state or not secrets.compare_digest(state, cookie_state):
        return _failure(request, _("Innloggingen kunne ikke bekreftes. Start på nytt."))
    pending = service.peek_oidc_login(session, state, STATE_TTL)
    if pending is None:
        service.consume_oidc_login(session, state, STATE_TTL)  # an expired one goes
        return _failure(request, _("Innloggingen tok for lang tid. Start på nytt."))
    # The provider is asked with no transaction open: a slow provider must not hold the
    # database (on SQLite the write lock) while it answers. The login in flight is consumed
    # after, so it still serves once only.
    end_transaction(session)
    try:
        meta = metadata(settings)
        token = _client(settings).fetch_token(
            meta["token_endpoint"], code=code, code_verifier=pending.code_verifier
        )
        claims = _verify_id_token(settings, meta, token["id_token"], pending.nonce)
        if not claims.get("email") and meta.get("userinfo_endpoint"):
            info = requests.get(
                meta["userinfo_endpoint"],
                headers={"Authorization": f"Bearer {token['access_token']}"},
                timeout=10,
            )
            if info.ok and info.json().get("sub") == claims["sub"]:
                claims["email"] = info.json().get("email")
                claims["email_verified"] = info.json().get("email_verified")
    except (OidcError, OAuthError, requests.RequestException, KeyError, ValueError) as exc:
        log.warning("OIDC login failed: %s", exc)
        service.consume_oidc_login(session, state, STATE_TTL)
        return _failure(request, _("Innloggingen kunne ikke bekreftes. Start på nytt."))
    if service.consume_oidc_login(session, state, STATE_TTL) is None:
        # Another request with the same state got here first.
        return _failure(request, _("Innloggingen kunne ikke bekreftes. Start på nytt."))
    try:
        user = service.user_for_oidc_claims(
            session,
            issuer=str(settings.oidc_issuer),
            claims=claims,
            trust_email=settings.oidc_trust_email,
        )
    except service.AccountDeactivated:
        return _failure(
            request,
            _("Kontoen din er deaktivert. Be administratoren i fylkeskommunen om hjelp."),
            403,
        )
    if user is None:
        return render(
            request,
            "accounts/no_access.html",
            {"email": claims.get("email")},
            status_code=403,
        )
    service.end_session(session, request.cookies.get(SESSION_COOKIE))
    session_token = service.start_session(session, user, settings, method="oidc")
    response = RedirectResponse(
        after_login(request, session, user, pending.next_url), status_code=303
    )
    set_session_cookie(response, session_token)
    response.delete_cookie(STATE_COOKIE, path="/oidc")
    return response
