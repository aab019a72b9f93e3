"""Imports every model module so that Base.metadata knows all tables, and installs the
session hooks (audit log). The feature modules' tables come with `app.modules`."""

from app import modules  # noqa: F401
from app.accounts import models as accounts_models  # noqa: F401
from app.audit import models as audit_models  # noqa: F401
from app.audit import service as audit_service  # noqa: F401
from app.counties import models as counties_models  # noqa: F401
from app.mail import models as mail_models  # noqa: F401
from app.notifications import models as notifications_models  # noqa: F401
from app.worker import models as worker_models  # noqa: F401
