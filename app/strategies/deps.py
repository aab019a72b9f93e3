"""Who may call a route of strategies, for the pages and the JSON API alike (the permission
table is in ``app/accounts/permissions.py``). Consultation rounds decide per round who may see
them and take part (``consultation/access.py``): their routes only ask for ``Reader``."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from app.accounts.deps import Context, api_require, require

Reader = Annotated[Context, Depends(require("strategies.read"))]
DraftReader = Annotated[Context, Depends(require("strategies.read_drafts"))]
Editor = Annotated[Context, Depends(require("strategies.edit"))]
Consulter = Annotated[Context, Depends(require("strategies.consult"))]

ApiReader = Annotated[Context, Depends(api_require("strategies.read"))]
ApiDraftReader = Annotated[Context, Depends(api_require("strategies.read_drafts"))]
ApiEditor = Annotated[Context, Depends(api_require("strategies.edit"))]
ApiConsulter = Annotated[Context, Depends(api_require("strategies.consult"))]
