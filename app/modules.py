"""The feature modules, in the order of the main menu and the start page.

Adding a module is one line here (and its own folder, permissions, migration and templates:
see "Adding a module" in the README)."""

from __future__ import annotations

from app.helpdesk.module import MODULE as helpdesk
from app.innovations.module import MODULE as innovations
from app.networks.module import MODULE as networks
from app.registry import Module
from app.schemes.module import MODULE as schemes
from app.strategies.module import MODULE as strategies

MODULES: tuple[Module, ...] = (helpdesk, schemes, innovations, strategies, networks)
