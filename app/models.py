"""Imports every model module so that Base.metadata knows all tables, and installs the
session hooks (audit log)."""

from app.accounts import models as accounts_models  # noqa: F401
from app.audit import models as audit_models  # noqa: F401
from app.audit import service as audit_service  # noqa: F401
from app.counties import models as counties_models  # noqa: F401
from app.helpdesk import models as helpdesk_models  # noqa: F401
from app.mail import models as mail_models  # noqa: F401
from app.networks import models as networks_models  # noqa: F401
from app.strategies import models as strategies_models  # noqa: F401
