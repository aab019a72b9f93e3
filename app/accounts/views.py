"""HTML pages of accounts: login and logout, workspace picker, language, invitations, users.
The password-reset pages are in ``reset_views``, a person's API tokens in ``token_views`` and
the service tokens in ``service_token_views``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode, urlsplit

from fastapi import Depends, Request
from fastapi.responses import Response

from app.accounts import invitations, service, service_tokens
from app.accounts.deps import (
    SESSION_COOKIE,
    Context,
    CurrentUser,
    DbSession,
    OptionalUser,
    require,
)
from app.accounts.models import Invitation, User
from app.accounts.one_trip import Router
from app.accounts.permissions import (
    EXTRA_ROLES,
    ROLE_LABELS,
    ROLES,
    actions_for_roles,
    describe_roles,
)
from app.accounts.schemas import (
    AcceptForm,
    ExtraRolesForm,
    InviteForm,
    LoginForm,
    RoleForm,
)
from app.config import get_settings
from app.counties import service as counties_service
from app.counties.models import Workspace
from app.db import utcnow
from app.errors import InvalidInput, TooManyAttempts
from app.forms import FormData, MultiFormData, parse, submit
from app.i18n import LOCALES, _, lazy
from app.mail import service as mail
from app.security import CSRF_COOKIE, LOCALE_COOKIE
from app.tenancy import set_db_scope
from app.web import redirect, render

router = Router()

Inviter = Annotated[Context, Depends(require("invitations.manage"))]
UserManager = Annotated[Context, Depends(require("users.manage"))]
RoleGiver = Annotated[Context, Depends(require("users.extra_roles"))]


def safe_next(value: str | None) -> str | None:
    """Only local paths: never send a person to another site after login."""
    if not value:
        return None
    if "\\" in value or any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        return None
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or not value.startswith("/") or value.startswith("//"):
        return None
    return value


def set_session_cookie(response: Response, token: str) -> None:
    settings = get_settings()
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
        max_age=settings.session_absolute_days * 86400,
        path="/",
    )
    # A fresh CSRF token with the fresh session.
    response.delete_cookie(CSRF_COOKIE, path="/")


def after_login(request: Request, session: DbSession, user: User, next_url: str | None) -> str:
    if next_url:
        return next_url
    set_db_scope(session, workspace_id=None, user_id=user.id)
    last = service.last_workspace_slug(session, user)
    if last is not None:
        return f"/{last}"  # where the person worked last time: what waits for them there
    choices = service.memberships_of(session, user)
    if len(choices) == 1:
        return f"/{choices[0].slug}"
    if not choices:
        return "/ingen-tilgang"
    return "/velg"


@router.get("/")
def home(request: Request, session: DbSession, user: OptionalUser) -> Response:
    if user is None:
        return redirect(request, "/logg-inn")
    return redirect(request, after_login(request, session, user, None))


@router.get("/logg-inn")
def login_page(request: Request, user: OptionalUser, neste: str | None = None) -> Response:
    if user is not None:
        return redirect(request, safe_next(neste) or "/")
    return render(request, "accounts/login.html", _login_context(neste))


def _login_context(next_url: str | None, **extra: Any) -> dict[str, Any]:
    settings = get_settings()
    return {
        "next": safe_next(next_url) or "",
        "oidc_enabled": settings.oidc_enabled,
        "oidc_name": settings.oidc_display_name,
        "errors": {},
        "values": {},
        **extra,
    }


@router.post("/logg-inn")
def login(request: Request, session: DbSession, data: FormData) -> Response:
    next_url = safe_next(data.pop("neste", None))
    form, errors = parse(LoginForm, data)
    values = {"email": data.get("email", "")}
    if form is None:
        return render(
            request,
            "accounts/login.html",
            _login_context(next_url, errors=errors, values=values),
            status_code=422,
        )
    settings = get_settings()
    try:
        address = request.client.host if request.client else None
        user = service.authenticate(session, form.email, form.password, settings, address)
    except TooManyAttempts as exc:
        message = _(exc.message).format(**exc.extra)
        return render(
            request,
            "accounts/login.html",
            _login_context(next_url, errors={"form": message}, values=values),
            status_code=429,
        )
    except service.LoginFailed:
        # Answered with a page, not an exception, so the recorded attempt is committed.
        return render(
            request,
            "accounts/login.html",
            _login_context(
                next_url,
                errors={"form": _("Feil e-postadresse eller passord.")},
                values=values,
            ),
            status_code=401,
        )
    chosen = request.cookies.get(LOCALE_COOKIE)
    if user.locale is None and chosen in LOCALES:
        user.locale = chosen  # the language picked before signing in is also their mail's
    service.end_session(session, request.cookies.get(SESSION_COOKIE))
    token = service.start_session(session, user, settings)
    response = redirect(request, after_login(request, session, user, next_url))
    set_session_cookie(response, token)
    return response


@router.post("/logg-ut")
def logout(request: Request, session: DbSession) -> Response:
    service.end_session(session, request.cookies.get(SESSION_COOKIE))
    response = redirect(request, "/logg-inn", flash=_("Du er logget ut."))
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(CSRF_COOKIE, path="/")
    return response


@router.get("/velg")
def pick_workspace(request: Request, session: DbSession, user: CurrentUser) -> Response:
    choices = service.memberships_of(session, user)
    return render(request, "accounts/pick.html", {"choices": choices, "role_labels": ROLE_LABELS})


@router.get("/ingen-tilgang")
def no_access(request: Request, session: DbSession, user: CurrentUser) -> Response:
    return render(request, "accounts/no_access.html", {}, status_code=403)


@router.post("/sprak")
def set_language(
    request: Request, data: FormData, session: DbSession, user: OptionalUser
) -> Response:
    """The language of the pages (a cookie) and, for a signed-in person, of the e-mail
    Samspill sends them."""
    locale = data.get("locale")
    target = safe_next(data.get("neste")) or "/"
    if locale not in LOCALES:
        raise InvalidInput({"locale": lazy("Velg bokmål, nynorsk eller English.")})
    if user is not None and user.locale != locale:
        user.locale = locale
        session.flush()
    response = redirect(request, target)
    response.set_cookie(
        LOCALE_COOKIE,
        locale,
        max_age=365 * 86400,
        samesite="lax",
        httponly=True,
        secure=get_settings().secure_cookies,
        path="/",
    )
    return response


# --- invitations (the invitee's side) ----------------------------------------------------


@dataclass
class _Opened:
    """An invitation link as opened: its workspace, and the invitation or why it is unusable."""

    workspace: Workspace
    token: str
    invitation: Invitation | None
    problem: str = ""


def _open_invitation(workspace_slug: str, token: str, session: DbSession) -> _Opened:
    workspace = counties_service.get_workspace(session, workspace_slug)
    set_db_scope(session, workspace_id=workspace.id, user_id=None)
    try:
        invitation = invitations.find_invitation(session, workspace.id, token)
    except invitations.InvitationUnusable as exc:
        return _Opened(workspace, token, None, exc.reason)
    return _Opened(workspace, token, invitation)


# After the signed-in user in a route's parameters: the link's scope (no user) is the last word.
Opened = Annotated[_Opened, Depends(_open_invitation)]


def _gone(request: Request, opened: _Opened) -> Response:
    return render(
        request,
        "accounts/invitation.html",
        {"workspace": opened.workspace, "problem": _(opened.problem)},
        status_code=410,
    )


def _invitation_form(
    request: Request,
    workspace: Workspace,
    invitation: Invitation,
    *,
    existing: User | None,
    user: User | None,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
) -> Response:
    return render(
        request,
        "accounts/invitation.html",
        {
            "workspace": workspace,
            "invitation": invitation,
            "role_label": describe_roles(invitation.roles),
            "existing": existing,
            "signed_in_as": user,
            "errors": errors or {},
            "values": values or {},
        },
    )


@router.get("/{workspace_slug}/invitasjon/{token}")
def invitation_page(
    request: Request, session: DbSession, user: OptionalUser, opened: Opened
) -> Response:
    invitation = opened.invitation
    if invitation is None:
        return _gone(request, opened)
    existing = service.get_user_by_email(session, invitation.email)
    return _invitation_form(request, opened.workspace, invitation, existing=existing, user=user)


@router.post("/{workspace_slug}/invitasjon/{token}")
def accept_invitation(
    request: Request, session: DbSession, data: FormData, user: OptionalUser, opened: Opened
) -> Response:
    workspace, invitation = opened.workspace, opened.invitation
    if invitation is None:
        return _gone(request, opened)
    signed_in = user if user is not None and user.email == invitation.email else None
    if signed_in is None and service.get_user_by_email(session, invitation.email) is not None:
        # An existing account accepts by logging in first; the link brings them back here.
        return redirect(
            request,
            "/logg-inn?" + urlencode({"neste": f"/{workspace.slug}/invitasjon/{opened.token}"}),
        )
    accepted: list[User] = []

    def accept(form: AcceptForm | None) -> User:
        # Signed in with the invited address: nothing to fill in. Otherwise a new account.
        target = signed_in
        if target is None:
            assert form is not None
            target = service.create_user(
                session, email=invitation.email, name=form.name, password=form.password
            )
        set_db_scope(session, workspace_id=workspace.id, user_id=target.id)
        session.info["actor_id"] = target.id
        service.accept_invitation(session, workspace, invitation, target)
        accepted.append(target)
        return target

    response = submit(
        request,
        session,
        data,
        accept,
        schema=AcceptForm if signed_in is None else None,
        done=f"/{workspace.slug}",
        flash=_("Velkommen til {workspace}!").format(workspace=workspace.name),
        again=lambda errors: _invitation_form(
            request,
            workspace,
            invitation,
            existing=None,
            user=user,
            errors=errors,
            values={"name": data.get("name", "")},
        ),
    )
    if accepted and accepted[0] is not signed_in:
        # The new account is signed in straight away.
        service.end_session(session, request.cookies.get(SESSION_COOKIE))
        set_session_cookie(response, service.start_session(session, accepted[0], get_settings()))
    return response


# --- user administration (county admin) --------------------------------------------------


def _extra_choices(role: str) -> list[str]:
    """The extra roles that would give a member with this main role something more."""
    main = actions_for_roles([role])
    return [r for r in EXTRA_ROLES if not actions_for_roles([r]) <= main]


def users_context(session: DbSession, ctx: Context, **extra: Any) -> dict[str, Any]:
    members = service.list_members(session, ctx.workspace.id)
    return {
        "members": members,
        "extra_choices": {m.id: _extra_choices(m.role) for m in members},
        "invitations": invitations.list_invitations(session, ctx.workspace.id),
        "roles": ROLES,
        "extra_roles": EXTRA_ROLES,
        "role_labels": ROLE_LABELS,
        "municipalities": counties_service.municipalities_of_county(
            session, ctx.workspace.county_number
        ),
        "organisations": counties_service.list_organisations(session),
        "service_tokens": (
            service_tokens.list_service_tokens(session, ctx.workspace.id)
            if ctx.can("tokens.manage_service")
            else []
        ),
        "now": utcnow(),
        "errors": {},
        "values": {},
        **extra,
    }


@router.get("/{workspace_slug}/brukere")
def users_page(
    request: Request, session: DbSession, ctx: Annotated[Context, Depends(require("users.read"))]
) -> Response:
    return render(request, "accounts/users.html", users_context(session, ctx))


@router.post("/{workspace_slug}/brukere/inviter")
def invite(
    request: Request,
    session: DbSession,
    data: MultiFormData,
    ctx: Inviter,
) -> Response:
    def act(form: InviteForm) -> Invitation:
        invitation, token = invitations.create_invitation(
            session,
            ctx.workspace,
            email=form.email,
            role=form.role,
            municipality_number=form.municipality_number,
            organisation_id=form.organisation_id,
            invited_by=ctx.user,
            settings=get_settings(),
            extra_roles=form.extra_roles,
        )
        _send_invitation(session, ctx, invitation.email, invitation.roles, token)
        return invitation

    return submit(
        request,
        session,
        data,
        act,
        schema=InviteForm,
        done=f"/{ctx.workspace.slug}/brukere",
        flash=lambda invitation: _("Invitasjonen er sendt til {email}.").format(
            email=invitation.email
        ),
        again=lambda errors: render(
            request,
            "accounts/users.html",
            users_context(session, ctx, errors=errors, values=data),
            fragment="accounts/_invite_form.html",
        ),
    )


def _send_invitation(
    session: DbSession, ctx: Context, email: str, roles: tuple[str, ...], token: str
) -> None:
    settings = get_settings()
    link = f"{settings.base_url.rstrip('/')}/{ctx.workspace.slug}/invitasjon/{token}"
    body = _(
        "Hei!\n\n{inviter} har invitert deg til {workspace} i Samspill som {role}.\n\n"
        "Åpne lenken for å ta imot invitasjonen:\n{link}\n\n"
        "Lenken virker én gang og går ut om {days} dager.\n\n"
        "Hilsen Samspill"
    ).format(
        inviter=ctx.user.name,
        workspace=ctx.workspace.name,
        role=describe_roles(roles).lower(),
        link=link,
        days=settings.invitation_days,
    )
    mail.enqueue(
        session,
        to=email,
        subject=_("Invitasjon til {workspace} i Samspill").format(workspace=ctx.workspace.name),
        body=body,
        workspace_id=ctx.workspace.id,
    )


@router.post("/{workspace_slug}/invitasjoner/{invitation_id}/trekk-tilbake")
def revoke_invitation(
    request: Request,
    invitation_id: int,
    session: DbSession,
    ctx: Inviter,
) -> Response:
    invitations.revoke_invitation(session, ctx.workspace.id, invitation_id)
    return redirect(
        request, f"/{ctx.workspace.slug}/brukere", flash=_("Invitasjonen er trukket tilbake.")
    )


@router.post("/{workspace_slug}/brukere/{membership_id}/rolle")
def change_role(
    request: Request,
    membership_id: int,
    session: DbSession,
    data: FormData,
    ctx: UserManager,
) -> Response:
    if membership_id == ctx.membership.id:
        raise InvalidInput({"role": lazy("Du kan ikke endre din egen rolle.")})
    return submit(
        request,
        session,
        data,
        lambda form: service.change_role(
            session,
            ctx.workspace,
            membership_id,
            form.role,
            municipality_number=form.municipality_number,
            organisation_id=form.organisation_id,
        ),
        schema=RoleForm,
        done=f"/{ctx.workspace.slug}/brukere",
        flash=_("Rollen er endret."),
        again=lambda errors: render(
            request,
            "accounts/users.html",
            users_context(session, ctx, role_errors={membership_id: errors}),
        ),
    )


@router.post("/{workspace_slug}/brukere/{membership_id}/tilleggsroller")
def change_extra_roles(
    request: Request,
    membership_id: int,
    session: DbSession,
    data: MultiFormData,
    ctx: RoleGiver,
) -> Response:
    """Add or take away a member's extra roles (helper, viewer) beside their main role."""
    if membership_id == ctx.membership.id:
        raise InvalidInput({"extra_roles": lazy("Du kan ikke endre dine egne roller.")})
    return submit(
        request,
        session,
        data,
        lambda form: service.set_extra_roles(
            session, ctx.workspace, membership_id, form.extra_roles
        ),
        schema=ExtraRolesForm,
        done=f"/{ctx.workspace.slug}/brukere",
        flash=lambda m: _("Rollene er endret: {roles}.").format(roles=describe_roles(m.roles)),
        again=lambda errors: render(
            request,
            "accounts/users.html",
            users_context(session, ctx, extra_errors={membership_id: errors}),
        ),
    )


@router.post("/{workspace_slug}/brukere/{membership_id}/fjern")
def remove_member(
    request: Request,
    membership_id: int,
    session: DbSession,
    ctx: UserManager,
) -> Response:
    if membership_id == ctx.membership.id:
        raise InvalidInput({"membership": lazy("Du kan ikke fjerne deg selv.")})
    service.remove_membership(session, ctx.workspace.id, membership_id)
    return redirect(
        request,
        f"/{ctx.workspace.slug}/brukere",
        flash=_("Brukeren er fjernet fra arbeidsområdet."),
    )
