"""The ASGI entry point for uvicorn: `uvicorn app.asgi:app`. Logging is set up here, once per
process, before the app is built."""

from app import logs
from app.config import get_settings
from app.main import create_app

logs.setup(get_settings())
app = create_app()
