"""The piccolo app whose migrations define chatd's SQL schema."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

APP_CONFIG = AppConfig(
    app_name="chatd",
    migrations_folder_path=Path(__file__).parent / "migrations",
    table_classes=[],
)
