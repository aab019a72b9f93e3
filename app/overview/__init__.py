"""The top of the house: the workspace start page and the settings page, each assembled from
what the feature modules contribute (see :mod:`app.registry`). Nothing below imports this."""
