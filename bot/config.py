"""Settings: the only place that reads the environment (and a `.env` file)."""

from __future__ import annotations

import difflib
import os
import re
from datetime import time, timedelta
from importlib import resources
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import dotenv_values
from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.errors import ConfigError
from bot.schedule import cron_trigger
from bot.workhours import WorkingTime, parse_days, parse_window

ROOT = Path(__file__).resolve().parent.parent


def bundled(name: str) -> Path:
    """Where Nudgebot's own `principles.yaml` or `prompts` folder is.

    An installed wheel carries them inside the package (bot/bundled/, found with importlib.resources),
    so they work from any folder; a checkout or editable install uses the top-level files, so editing
    them there takes effect at once.
    """
    packaged = resources.files("bot").joinpath("bundled", name)
    if isinstance(packaged, Path) and packaged.exists():
        return packaged
    return ROOT / name


BUNDLED_PRINCIPLES = bundled("principles.yaml")
PROMPTS_DIR = bundled("prompts")

_HOURS = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


def _env(*names: str) -> AliasChoices:
    return AliasChoices(*names)


class Settings(BaseSettings):
    """Every setting Nudgebot reads, by the environment variable names in the README."""

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        env_ignore_empty=True,  # `PORT=` copied from a template means "use the default"
        populate_by_name=True,
        case_sensitive=True,
    )

    db: Path = Field(Path("nudgebot.db"), validation_alias=_env("NUDGEBOT_DB"))
    principles: Path = Field(BUNDLED_PRINCIPLES, validation_alias=_env("NUDGEBOT_PRINCIPLES"))
    timezone: str = Field("UTC", validation_alias=_env("NUDGEBOT_TIMEZONE"))
    digest_channel: str | None = Field(None, validation_alias=_env("NUDGEBOT_DIGEST_CHANNEL"))
    digest_schedule: str = Field("0 9 * * mon", validation_alias=_env("NUDGEBOT_DIGEST_SCHEDULE"))
    port: int = Field(3000, ge=1, le=65535, validation_alias=_env("PORT"))

    # How politely the bot behaves (channels can override some of these from chat).
    cooldown_minutes: int = Field(10, ge=0, validation_alias=_env("NUDGEBOT_COOLDOWN_MINUTES"))
    channel_daily_cap: int = Field(10, ge=0, validation_alias=_env("NUDGEBOT_CHANNEL_DAILY_CAP"))
    quiet_hours: str = Field("", validation_alias=_env("NUDGEBOT_QUIET_HOURS"))
    retention_days: int = Field(365, ge=0, validation_alias=_env("NUDGEBOT_RETENTION_DAYS"))
    # How long a message the bot means to send is tried (a platform down, rate limits) before it is given up.
    outbox_hours: float = Field(24.0, gt=0, le=24 * 30, validation_alias=_env("NUDGEBOT_OUTBOX_HOURS"))

    # Approval flows: waits are counted in working hours, in NUDGEBOT_TIMEZONE.
    approval_sla_hours: float = Field(24.0, gt=0, le=10_000, validation_alias=_env("NUDGEBOT_APPROVAL_SLA_HOURS"))
    working_hours: str = Field("09:00-17:00", validation_alias=_env("NUDGEBOT_WORKING_HOURS"))
    working_days: str = Field("mon-fri", validation_alias=_env("NUDGEBOT_WORKING_DAYS"))
    max_approvers: int = Field(3, ge=1, validation_alias=_env("NUDGEBOT_MAX_APPROVERS"))
    max_hops: int = Field(2, ge=0, validation_alias=_env("NUDGEBOT_MAX_HOPS"))
    approval_reminders: int = Field(3, ge=0, le=100, validation_alias=_env("NUDGEBOT_APPROVAL_REMINDERS"))

    slack_bot_token: SecretStr | None = Field(None, validation_alias=_env("SLACK_BOT_TOKEN"))
    slack_signing_secret: SecretStr | None = Field(None, validation_alias=_env("SLACK_SIGNING_SECRET"))
    slack_app_token: SecretStr | None = Field(None, validation_alias=_env("SLACK_APP_TOKEN"))
    slack_client_id: str | None = Field(None, validation_alias=_env("SLACK_CLIENT_ID"))
    slack_client_secret: SecretStr | None = Field(None, validation_alias=_env("SLACK_CLIENT_SECRET"))
    slack_api_url: str = Field("https://slack.com/api/", validation_alias=_env("SLACK_API_URL"))

    microsoft_app_id: str | None = Field(
        None, validation_alias=_env("MicrosoftAppId", "MICROSOFT_APP_ID")
    )
    microsoft_app_password: SecretStr | None = Field(
        None, validation_alias=_env("MicrosoftAppPassword", "MICROSOFT_APP_PASSWORD")
    )
    microsoft_app_tenant_id: str | None = Field(
        None, validation_alias=_env("MicrosoftAppTenantId", "MICROSOFT_APP_TENANT_ID")
    )
    microsoft_app_type: str = Field(
        "MultiTenant", validation_alias=_env("MicrosoftAppType", "MICROSOFT_APP_TYPE")
    )
    teams_dev: bool = Field(False, validation_alias=_env("NUDGEBOT_TEAMS_DEV"))
    # Where the Teams token signing keys are looked up (default: the Bot Framework's and Entra ID's own).
    teams_openid_url: str | None = Field(None, validation_alias=_env("NUDGEBOT_TEAMS_OPENID_URL"))

    openai_api_key: SecretStr | None = Field(None, validation_alias=_env("OPENAI_API_KEY"))
    openai_base_url: str | None = Field(None, validation_alias=_env("OPENAI_BASE_URL"))
    llm_model: str = Field("gpt-4o-mini", validation_alias=_env("NUDGEBOT_LLM_MODEL"))
    llm_timeout: float = Field(4.0, gt=0, le=120, validation_alias=_env("NUDGEBOT_LLM_TIMEOUT"))
    llm_draft_timeout: float = Field(30.0, gt=0, le=300, validation_alias=_env("NUDGEBOT_LLM_DRAFT_TIMEOUT"))
    llm_daily_budget: int = Field(500, ge=0, validation_alias=_env("NUDGEBOT_LLM_DAILY_BUDGET"))
    # Chat workspaces whose messages may go to the LLM without a `/nudgebot llm on` first: ids, or `*`.
    llm_workspaces: str = Field("", validation_alias=_env("NUDGEBOT_LLM_WORKSPACES"))
    llm_redact: bool = Field(True, validation_alias=_env("NUDGEBOT_LLM_REDACT"))

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (use an IANA name such as Europe/Berlin)") from None
        return value

    @field_validator("quiet_hours")
    @classmethod
    def _hours(cls, value: str) -> str:
        if value.strip() and not _parse_hours(value):
            raise ValueError("use HH:MM-HH:MM, for example 19:00-08:00")
        return value.strip()

    @field_validator("digest_schedule")
    @classmethod
    def _digest_schedule(cls, value: str) -> str:
        try:
            cron_trigger(value, ZoneInfo("UTC"))  # the same fields in any zone
        except ConfigError as exc:
            raise ValueError(str(exc)) from None
        return value.strip()

    @field_validator("working_hours")
    @classmethod
    def _working_hours(cls, value: str) -> str:
        if not parse_window(value):
            raise ValueError("use HH:MM-HH:MM with the start before the end, for example 09:00-17:00")
        return value.strip()

    @field_validator("working_days")
    @classmethod
    def _working_days(cls, value: str) -> str:
        if not parse_days(value):
            raise ValueError("use day names such as mon-fri, sun-thu or mon,tue,thu")
        return value.strip().lower()

    @field_validator("teams_openid_url")
    @classmethod
    def _openid_url(cls, value: str | None) -> str | None:
        if value is not None and not value.strip().startswith(("https://", "http://")):
            raise ValueError("must be an http(s) URL of an OpenID metadata document")
        return value.strip() if value is not None else None

    @field_validator("microsoft_app_type")
    @classmethod
    def _app_type(cls, value: str) -> str:
        allowed = {"MultiTenant", "SingleTenant", "UserAssignedMSI"}
        if value not in allowed:
            raise ValueError(f"must be one of {', '.join(sorted(allowed))}")
        return value

    # -- derived values -------------------------------------------------

    @property
    def outbox_keep(self) -> timedelta:
        return timedelta(hours=self.outbox_hours)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def quiet(self) -> tuple[time, time] | None:
        return _parse_hours(self.quiet_hours)

    @property
    def working_time(self) -> WorkingTime:
        start, end = parse_window(self.working_hours)
        return WorkingTime(self.zone, start, end, parse_days(self.working_days))

    @property
    def slack_configured(self) -> bool:
        return bool(self.slack_signing_secret and (self.slack_bot_token or self.slack_oauth))

    @property
    def slack_oauth(self) -> bool:
        """Installed into workspaces through /slack/install, rather than one workspace's bot token."""
        return bool(self.slack_client_id and self.slack_client_secret)

    def slack_problem(self, socket_mode: bool = False) -> str | None:
        """Slack variables that cannot work together (or, with `socket_mode`, not over Socket Mode),
        said in words an admin can act on; None when `serve` can run Slack as they are, or without it."""
        if socket_mode and not (self.slack_app_token and self.slack_bot_token):
            return "--slack-socket-mode needs SLACK_APP_TOKEN (xapp-…) and SLACK_BOT_TOKEN (xoxb-…)"
        if bool(self.slack_client_id) != bool(self.slack_client_secret):
            return ("SLACK_CLIENT_ID and SLACK_CLIENT_SECRET go together (multi-workspace install); "
                    "set both, or neither")
        if self.slack_oauth and self.slack_bot_token:
            return ("SLACK_BOT_TOKEN and SLACK_CLIENT_ID are both set: keep SLACK_BOT_TOKEN for one workspace, "
                    "or SLACK_CLIENT_ID/SLACK_CLIENT_SECRET for installs through /slack/install, not both")
        if self.slack_bot_token and not self.slack_signing_secret and not self.slack_app_token:
            return ("SLACK_BOT_TOKEN is set without SLACK_SIGNING_SECRET, so Slack's requests cannot be verified: "
                    "set SLACK_SIGNING_SECRET (Basic Information → App Credentials), or SLACK_APP_TOKEN for "
                    "Socket Mode")
        if self.slack_oauth and not self.slack_signing_secret:
            return ("SLACK_CLIENT_ID and SLACK_CLIENT_SECRET need SLACK_SIGNING_SECRET (Basic Information → "
                    "App Credentials) to verify Slack's requests")
        if self.slack_signing_secret and not (self.slack_bot_token or self.slack_oauth):
            return ("SLACK_SIGNING_SECRET is set without SLACK_BOT_TOKEN (one workspace) or "
                    "SLACK_CLIENT_ID/SLACK_CLIENT_SECRET (installs through /slack/install)")
        if self.slack_app_token and not self.slack_bot_token:
            return "SLACK_APP_TOKEN is set without SLACK_BOT_TOKEN (xoxb-…); Socket Mode needs both"
        return None

    def teams_problem(self) -> str | None:
        """Teams variables the Bot Framework cannot authenticate with, naming the one to set."""
        if not (self.microsoft_app_id or "").strip():
            if self.microsoft_app_password:
                return "MicrosoftAppPassword is set without MicrosoftAppId (the Azure Bot's app id)"
            return None
        app_type = self.microsoft_app_type
        if app_type != "UserAssignedMSI" and not self.microsoft_app_password:
            return "MicrosoftAppId is set without MicrosoftAppPassword (the Azure Bot's client secret)"
        if app_type != "MultiTenant" and not self.microsoft_app_tenant_id:
            return f"MicrosoftAppType={app_type} needs MicrosoftAppTenantId (the Azure AD tenant of the bot)"
        return None

    @property
    def teams_configured(self) -> bool:
        return bool(self.microsoft_app_id) or self.teams_dev

    @property
    def llm_configured(self) -> bool:
        # `OPENAI_API_KEY=` copied from a template must not send every message to a failing LLM.
        return bool(self.openai_api_key and self.openai_api_key.get_secret_value().strip())

    @property
    def llm_default_workspaces(self) -> frozenset[str]:
        """NUDGEBOT_LLM_WORKSPACES as a set of ids; `{"*"}` means every workspace."""
        return frozenset(w.strip() for w in self.llm_workspaces.split(",") if w.strip())

    def platforms(self) -> list[str]:
        """Names of the chat platforms these settings can serve."""
        names = []
        if self.slack_configured and self.slack_oauth:
            names.append("slack (multi-workspace: install at /slack/install)")
        elif self.slack_configured:
            names.append("slack")
        elif self.slack_bot_token and self.slack_app_token:
            names.append("slack (Socket Mode only: set SLACK_SIGNING_SECRET for HTTP)")
        if self.teams_configured:
            names.append("teams")
        return names


def _parse_hours(value: str) -> tuple[time, time] | None:
    match = _HOURS.match(value or "")
    if not match:
        return None
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59:
        return None
    return time(h1, m1), time(h2, m2)


def _alias_names(settings_cls: type[BaseSettings]) -> dict[str, tuple[str, ...]]:
    names = {}
    for field_name, field in settings_cls.model_fields.items():
        alias = field.validation_alias
        if isinstance(alias, AliasChoices):
            names[field_name] = tuple(str(c) for c in alias.choices)
    return names


def _conflicting_spellings(env_file: str | Path | None) -> list[str]:
    """Variables set under two spellings with different values (MicrosoftAppId and MICROSOFT_APP_ID)."""
    seen: dict[str, str] = {}
    if env_file and Path(env_file).is_file():
        seen.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
    seen.update(os.environ)
    problems = []
    for choices in _alias_names(Settings).values():
        present = {name: seen[name] for name in choices if name in seen}
        if len(set(present.values())) > 1:
            problems.append(
                f"{' and '.join(present)} are both set, to different values; keep one of them"
            )
    return problems


def unknown_variables(env_file: str | Path | None = ".env") -> list[str]:
    """One warning for each NUDGEBOT_* name in the environment or `.env` that is no setting (and so is
    ignored), naming the closest setting. Only names are shown, never values."""
    known = sorted({name for names in _alias_names(Settings).values() for name in names
                    if name.startswith("NUDGEBOT_")})
    seen = set(os.environ)
    if env_file and Path(env_file).is_file():
        seen.update(dotenv_values(env_file))
    warnings = []
    prefix = len("NUDGEBOT_")
    tails = {name[prefix:]: name for name in known}  # compared without the prefix every name shares
    for name in sorted(n for n in seen if n.upper().startswith("NUDGEBOT_") and n not in known):
        close = difflib.get_close_matches(name[prefix:].upper(), tails, n=1, cutoff=0.6)
        hint = f"did you mean {tails[close[0]]}?" if close else "the README's configuration table lists them"
        warnings.append(f"{name} is not a Nudgebot setting and is ignored; {hint}")
    return warnings


def load_settings(env_file: str | Path | None = ".env", **overrides) -> Settings:
    """Build Settings once, turning every problem into one ConfigError that names the variable.

    The values themselves are never echoed: a bad token must not end up in a terminal log.
    """
    problems = _conflicting_spellings(env_file)
    if problems:
        raise ConfigError("Configuration error: " + "; ".join(problems))
    try:
        return Settings(_env_file=env_file, **overrides)
    except ValidationError as exc:
        aliases = _alias_names(Settings)
        lines = []
        for error in exc.errors(include_input=False, include_url=False):
            field = str(error["loc"][0]) if error["loc"] else "?"
            name = aliases.get(field, (field,))[0]
            lines.append(f"{name}: {error['msg']}")
        raise ConfigError("Configuration error: " + "; ".join(lines)) from None
