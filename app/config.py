"""Settings from the environment (prefix TIMELINE_), one class, cached."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Everything the app reads from its environment."""

    model_config = SettingsConfigDict(env_prefix="TIMELINE_", env_file=".env", extra="ignore")

    database_url: str = "sqlite:///data/timeline.db"
    host: str = "127.0.0.1"
    port: int = 8000
    seeds_dir: Path = Path("seeds")
    admin_token: SecretStr | None = None
    secret_key: SecretStr | None = None
    max_article_bytes: int = 5 * 1024 * 1024
    page_size: int = 50
    secure_cookies: bool = False  # set when served over https: cookies then carry Secure
    login_attempts: int = 5  # failed sign-ins per client per login_window_s before it must wait
    login_window_s: int = 300

    @property
    def writes_enabled(self) -> bool:
        return bool(self.admin_token and self.admin_token.get_secret_value())

    def session_secret(self) -> str:
        """Signs session cookies: the explicit secret, else one derived from the admin token."""
        if self.secret_key:
            return self.secret_key.get_secret_value()
        token = self.admin_token.get_secret_value() if self.admin_token else ""
        return "timeline-session:" + token


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
