"""The background worker: periodic jobs claimed so that several worker processes may run at once
(``jobs``), beside the mail outbox (``app.mail``)."""
