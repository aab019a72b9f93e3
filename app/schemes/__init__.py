"""Funding schemes (virkemidler): catalogue, calls and deadlines, reminders, participation and
the figures that show whether the small municipalities are reached."""
