"""The innovations in the demo, as data: fourteen invented innovations in Trøndelag, Vestland,
Buskerud and Telemark, who made and piloted them, where they have been taken into use, and
two benefits plans (Kongsbergregionen's four templates) with measurements.

Everything here is invented and says so: titles end with " (demo)", people's names with
"(demo)", addresses are on ``.demo`` domains and links only point at ``example.no``. The
municipality numbers are real (2024 structure, ``app/counties/data/municipalities.csv``), and
the councils and networks named in ``origin_body`` are the demo bodies that
``app/networks/demo.py`` creates in the same workspace.

How the loader (``app/innovations/demo.py``) reads it:

- ``INNOVATIONS``: one ``InnovationData`` each, created in ``workspace``. ``origin`` (a
  municipality number in that county) or ``origin_body`` (the exact name of a demo body in that
  workspace) says where it comes from; the service gives the origin municipality its "origin"
  role itself, so ``roles`` holds only pilots and followers (never the origin). ``shared`` is
  True for exactly two; their adoptions in other counties are recorded by those counties'
  workspaces (``AdoptionData.workspace``).
- Times are months relative to today, so the demo stays fresh: ``started_months_ago`` and
  ``in_use_months_ago`` of an adoption, ``baseline_months_ago`` / ``target_months_ahead`` of a
  benefit and ``months_ago`` of a measurement. Turn them into dates with ``app.clock.today()``.
- ``BENEFIT_PLANS``: the common plan of an innovation (in the innovation's workspace, no
  municipality) with its four templates and its benefits, and ``municipal_plans``: each
  adopting municipality's scaled copy (in the workspace of its county, ``common_id`` → the
  common plan, ``scale``). Quantitative baselines and targets of the common plan are for the
  whole group of municipalities; a municipal copy's benefits take them times ``scale``, and the
  municipality's measurements are in its own (scaled) numbers. ``statuses`` overrides the
  common status of a benefit for that municipality. Measurements of a quantitative benefit have
  a ``value``, of a qualitative one a ``text``.
- Numbers are plain ints and floats; convert with ``Decimal(str(value))``.

The data is in four files: the types in ``demo_types.py``, the innovations in
``demo_data_trondelag.py`` and ``demo_data_others.py`` (Vestland, Buskerud, Telemark), put
together here in their order, and the benefits plans in ``demo_plans.py``. Run
``python -m app.innovations.demo_check`` to check it (municipality numbers and counties, codes,
the two shared innovations, the plans' benefits and measurements).
"""

from __future__ import annotations

from app.innovations.demo_data_others import ELSEWHERE
from app.innovations.demo_data_trondelag import TRONDELAG
from app.innovations.demo_types import InnovationData

INNOVATIONS: list[InnovationData] = [*TRONDELAG, *ELSEWHERE]
