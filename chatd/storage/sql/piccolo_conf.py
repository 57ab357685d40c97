"""piccolo's configuration module (PICCOLO_CONF). migrate.py sets DB to the
engine for the configured database before running the migrations."""

from piccolo.conf.apps import AppRegistry

DB = None
APP_REGISTRY = AppRegistry(apps=["chatd.storage.sql.piccolo_app"])
