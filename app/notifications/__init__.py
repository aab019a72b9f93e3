"""In-app notifications of events, each person's choice per kind of event (in the app, e-mail at
once, or a daily digest), and mail in the recipient's own language. A house-level part: every
module calls :func:`app.notifications.service.notify`."""
