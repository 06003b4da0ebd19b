"""Runtime configuration, read once from the environment (SPEC §7)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

PERSISTENCE_CHOICES = ("sqlite", "dynamodb", "none")
# AWS_LAMBDA_INITIALIZATION_TYPE values whose initialisation is paid before any request arrives:
# there, the store client and what the first request needs are built at init (SPEC §8).
EAGER_INITIALIZATION_TYPES = ("snap-start", "provisioned-concurrency")


def default_state_dir(env: Mapping[str, str]) -> str:
    """Per-user state directory for the embedded store (XDG style, overridable).

    A plain string (os.path, not pathlib): pathlib costs a Lambda cold start ~10 ms.
    """
    if env.get("BACKCARE_STATE_DIR"):
        return env["BACKCARE_STATE_DIR"]
    base = env.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
    return os.path.join(base, "backcare")


# With a docstring of its own: for a class without one, @dataclass writes one with inspect.signature
# (a cold start's time).
@dataclass(frozen=True)
class Config:
    """The skill's settings, as `from_env` reads them from the environment."""

    skill_id: str | None = None
    persistence: str = "sqlite"
    table_name: str | None = None
    state_dir: str | os.PathLike[str] = field(default_factory=lambda: default_state_dir(os.environ))
    audio_base_url: str | None = None
    log_level: str = "INFO"
    aws_region: str | None = None
    dynamodb_endpoint: str | None = None
    api_timeout_seconds: float = 3.0  # cap per Alexa API call (the request's deadline may allow less)
    store_timeout_seconds: float = 1.0  # cap per store call attempt, connect included
    store_attempts: int = 2  # attempts per store call (retries of throttling and transport errors)
    update_attempts: int = 5  # read-modify-write rounds before user_data.update gives up on conflicts
    deadline_margin_seconds: float = 0.8  # kept back from the request's budget to build and send the answer
    initialization_type: str = "on-demand"  # AWS_LAMBDA_INITIALIZATION_TYPE
    max_rules_per_reminder: int = 5

    def __post_init__(self) -> None:
        if self.persistence not in PERSISTENCE_CHOICES:
            raise ValueError(f"PERSISTENCE must be one of {PERSISTENCE_CHOICES}, not {self.persistence!r}")
        if self.persistence == "dynamodb" and not self.table_name:
            raise ValueError("PERSISTENCE=dynamodb needs TABLE_NAME")
        if self.store_attempts < 1 or self.update_attempts < 1:
            raise ValueError("BACKCARE_STORE_ATTEMPTS and BACKCARE_UPDATE_ATTEMPTS must be at least 1")

    @property
    def eager_init(self) -> bool:
        """Build the store client and warm the first request's path during initialisation."""
        return self.initialization_type in EAGER_INITIALIZATION_TYPES

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Config:
        env = os.environ if env is None else env
        # On Lambda the default store is DynamoDB (the template sets it); elsewhere SQLite.
        on_lambda = bool(env.get("AWS_LAMBDA_FUNCTION_NAME"))
        persistence = (env.get("PERSISTENCE") or ("dynamodb" if on_lambda else "sqlite")).strip().lower()
        return cls(
            skill_id=env.get("SKILL_ID") or None,
            persistence=persistence,
            table_name=env.get("TABLE_NAME") or None,
            state_dir=default_state_dir(env),
            audio_base_url=(env.get("AUDIO_BASE_URL") or "").rstrip("/") or None,
            log_level=(env.get("LOG_LEVEL") or "INFO").upper(),
            aws_region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or None,
            dynamodb_endpoint=env.get("AWS_ENDPOINT_URL_DYNAMODB") or None,
            api_timeout_seconds=float(env.get("BACKCARE_API_TIMEOUT", "3.0")),
            store_timeout_seconds=float(env.get("BACKCARE_STORE_TIMEOUT", "1.0")),
            store_attempts=int(env.get("BACKCARE_STORE_ATTEMPTS", "2")),
            update_attempts=int(env.get("BACKCARE_UPDATE_ATTEMPTS", "5")),
            deadline_margin_seconds=float(env.get("BACKCARE_DEADLINE_MARGIN", "0.8")),
            initialization_type=(env.get("AWS_LAMBDA_INITIALIZATION_TYPE") or "on-demand").strip().lower(),
            max_rules_per_reminder=int(env.get("BACKCARE_MAX_RULES_PER_REMINDER", "5")),
        )
