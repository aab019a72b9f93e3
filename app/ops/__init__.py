"""Operator commands of `samspill` (backup, users, mail, maintenance). Each module here has a
``register(cli)`` that adds its commands; `app.cli` calls them."""
