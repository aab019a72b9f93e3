"""Every kind of object the change log records has a name a person can read."""

import app.models  # noqa: F401  (every table)
from app.audit.views import object_labels
from app.db import Base


def test_every_audited_table_has_a_label():
    audited = {
        mapper.class_.__tablename__
        for mapper in Base.registry.mappers
        if getattr(mapper.class_, "__audited__", True)
    }
    assert sorted(audited - set(object_labels())) == []
