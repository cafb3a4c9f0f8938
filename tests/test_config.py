"""Settings come from the environment (or a `.env` file) under the names PRODUCT.md lists."""

from __future__ import annotations

from datetime import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.config import load_settings
from bot.errors import ConfigError
from bot.workhours import WorkingTime

ROOT = Path(__file__).resolve().parent.parent


def _secret(value):
    return value.get_secret_value() if value is not None else None


def test_defaults_need_no_configuration():
    """With nothing set, the log is nudgebot.db, the principles are bundled, the zone is UTC, port 3000."""
    settings = load_settings()

    assert (
        settings.db,
        settings.principles,
        settings.timezone,
        settings.port,
        settings.digest_channel,
        settings.platforms(),
        settings.llm_configured,
    ) == (Path("nudgebot.db"), ROOT / "principles.yaml", "UTC", 3000, None, [], False)


def test_default_slack_api_url_is_slack():
    """Without SLACK_API_URL the Slack Web API base is https://slack.com/api/."""
    assert load_settings().slack_api_url == "https://slack.com/api/"


@pytest.mark.parametrize(
    ("variable", "value", "read", "expected"),
    [
        ("NUDGEBOT_DB", "/data/log.db", lambda s: s.db, Path("/data/log.db")),
        ("NUDGEBOT_PRINCIPLES", "ours.yaml", lambda s: s.principles, Path("ours.yaml")),
        ("SLACK_BOT_TOKEN", "xoxb-1", lambda s: _secret(s.slack_bot_token), "xoxb-1"),
        ("SLACK_SIGNING_SECRET", "shh", lambda s: _secret(s.slack_signing_secret), "shh"),
        ("SLACK_APP_TOKEN", "xapp-1", lambda s: _secret(s.slack_app_token), "xapp-1"),
        ("SLACK_CLIENT_ID", "123.456", lambda s: s.slack_client_id, "123.456"),
        ("SLACK_CLIENT_SECRET", "cs", lambda s: _secret(s.slack_client_secret), "cs"),
        ("SLACK_API_URL", "http://127.0.0.1:9/api/", lambda s: s.slack_api_url, "http://127.0.0.1:9/api/"),
        ("MicrosoftAppId", "app-1", lambda s: s.microsoft_app_id, "app-1"),
        ("MICROSOFT_APP_ID", "app-2", lambda s: s.microsoft_app_id, "app-2"),
        ("MicrosoftAppPassword", "pw", lambda s: _secret(s.microsoft_app_password), "pw"),
        ("MICROSOFT_APP_PASSWORD", "pw2", lambda s: _secret(s.microsoft_app_password), "pw2"),
        ("MicrosoftAppTenantId", "tenant", lambda s: s.microsoft_app_tenant_id, "tenant"),
        ("MICROSOFT_APP_TENANT_ID", "tenant2", lambda s: s.microsoft_app_tenant_id, "tenant2"),
        ("MicrosoftAppType", "SingleTenant", lambda s: s.microsoft_app_type, "SingleTenant"),
        ("MICROSOFT_APP_TYPE", "SingleTenant", lambda s: s.microsoft_app_type, "SingleTenant"),
        ("NUDGEBOT_TEAMS_DEV", "1", lambda s: s.teams_dev, True),
        ("OPENAI_API_KEY", "sk-test", lambda s: _secret(s.openai_api_key), "sk-test"),
        ("OPENAI_BASE_URL", "http://127.0.0.1:9/v1", lambda s: s.openai_base_url, "http://127.0.0.1:9/v1"),
        ("NUDGEBOT_LLM_MODEL", "tiny-model", lambda s: s.llm_model, "tiny-model"),
        ("NUDGEBOT_LLM_TIMEOUT", "1.5", lambda s: s.llm_timeout, 1.5),
        ("NUDGEBOT_TIMEZONE", "Europe/Berlin", lambda s: s.timezone, "Europe/Berlin"),
        ("NUDGEBOT_DIGEST_CHANNEL", "C0DIGEST", lambda s: s.digest_channel, "C0DIGEST"),
        ("PORT", "8080", lambda s: s.port, 8080),
        ("NUDGEBOT_APPROVAL_SLA_HOURS", "8", lambda s: s.approval_sla_hours, 8.0),
        ("NUDGEBOT_WORKING_HOURS", "08:30-16:30", lambda s: (s.working_time.start, s.working_time.end), (510, 990)),
        ("NUDGEBOT_WORKING_DAYS", "sun-thu", lambda s: s.working_time.days, frozenset({6, 0, 1, 2, 3})),
        ("NUDGEBOT_MAX_APPROVERS", "5", lambda s: s.max_approvers, 5),
        ("NUDGEBOT_MAX_HOPS", "0", lambda s: s.max_hops, 0),
        ("NUDGEBOT_APPROVAL_REMINDERS", "1", lambda s: s.approval_reminders, 1),
    ],
)
def test_each_variable_is_read_from_the_environment(monkeypatch, variable, value, read, expected):
    """Every documented variable, set in the environment, becomes its setting."""
    monkeypatch.setenv(variable, value)

    assert read(load_settings()) == expected


def test_openai_key_alone_turns_the_llm_on_with_a_default_model(monkeypatch):
    """OPENAI_API_KEY alone enables the LLM, with a model name already chosen."""
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")

    settings = load_settings()

    assert (settings.llm_configured, settings.llm_model) == (True, "gpt-4o-mini")


def test_an_empty_openai_key_leaves_the_llm_off(monkeypatch):
    """`OPENAI_API_KEY=` (as copied from a template) does not switch the LLM on."""
    monkeypatch.setenv("OPENAI_API_KEY", "")

    assert load_settings().llm_configured is False


def test_a_dotenv_file_in_the_working_directory_is_read(tmp_path):
    """Values in ./.env are used when the environment does not set them."""
    (tmp_path / ".env").write_text("PORT=4100\nNUDGEBOT_TIMEZONE=Asia/Tokyo\n", encoding="utf-8")

    settings = load_settings()

    assert (settings.port, settings.timezone) == (4100, "Asia/Tokyo")


def test_dotenv_accepts_bot_framework_names_quotes_and_other_variables(tmp_path):
    """A .env shared with other tools (unknown names, quoted values, MicrosoftAppId) just works."""
    (tmp_path / ".env").write_text(
        'MicrosoftAppId=app-1\nDATABASE_URL=postgres://elsewhere\nSLACK_BOT_TOKEN="xoxb-1"\n', encoding="utf-8"
    )

    settings = load_settings()

    assert (settings.microsoft_app_id, _secret(settings.slack_bot_token)) == ("app-1", "xoxb-1")


def test_the_real_environment_wins_over_dotenv(tmp_path, monkeypatch):
    """A variable set in both the environment and .env takes the environment's value."""
    (tmp_path / ".env").write_text("PORT=4100\n", encoding="utf-8")
    monkeypatch.setenv("PORT", "4200")

    assert load_settings().port == 4200


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("PORT", "abc"),
        ("PORT", "70000"),
        ("NUDGEBOT_LLM_TIMEOUT", "-1"),
        ("NUDGEBOT_TIMEZONE", "Mars/Olympus"),
        ("NUDGEBOT_QUIET_HOURS", "25:00-x"),
        ("NUDGEBOT_TEAMS_DEV", "perhaps"),
        ("MicrosoftAppType", "Anything"),
        ("NUDGEBOT_APPROVAL_SLA_HOURS", "0"),
        ("NUDGEBOT_APPROVAL_SLA_HOURS", "a day"),
        ("NUDGEBOT_WORKING_HOURS", "17:00-09:00"),
        ("NUDGEBOT_WORKING_HOURS", "9 to 5"),
        ("NUDGEBOT_WORKING_DAYS", "weekdays"),
        ("NUDGEBOT_MAX_APPROVERS", "0"),
        ("NUDGEBOT_MAX_HOPS", "-1"),
        ("NUDGEBOT_APPROVAL_REMINDERS", "-1"),
    ],
)
def test_a_bad_value_is_a_config_error_naming_the_variable(monkeypatch, variable, value):
    """A malformed value raises ConfigError whose message starts with the variable's env name."""
    monkeypatch.setenv(variable, value)

    with pytest.raises(ConfigError) as raised:
        load_settings()

    assert str(raised.value).startswith(f"Configuration error: {variable}: ")


def test_a_bad_value_in_dotenv_names_the_variable(tmp_path):
    """A malformed value in .env is reported under its variable name too."""
    (tmp_path / ".env").write_text("NUDGEBOT_LLM_TIMEOUT=never\n", encoding="utf-8")

    with pytest.raises(ConfigError, match=r"^Configuration error: NUDGEBOT_LLM_TIMEOUT: "):
        load_settings()


def test_a_bad_value_is_never_echoed(monkeypatch):
    """A secret pasted into the wrong variable does not appear in the error."""
    monkeypatch.setenv("PORT", "xoxb-1234-very-secret")

    with pytest.raises(ConfigError) as raised:
        load_settings()

    assert "very-secret" not in str(raised.value)


def test_two_spellings_with_different_values_are_a_clear_error(monkeypatch):
    """MicrosoftAppId and MICROSOFT_APP_ID set differently: one ConfigError naming both."""
    monkeypatch.setenv("MicrosoftAppId", "app-one")
    monkeypatch.setenv("MICROSOFT_APP_ID", "app-two")

    with pytest.raises(ConfigError) as raised:
        load_settings()

    assert str(raised.value) == (
        "Configuration error: MicrosoftAppId and MICROSOFT_APP_ID are both set, "
        "to different values; keep one of them"
    )


def test_two_spellings_of_a_password_do_not_echo_either_value(monkeypatch):
    """Conflicting MicrosoftAppPassword spellings are reported without showing the passwords."""
    monkeypatch.setenv("MicrosoftAppPassword", "first-hidden-pw")
    monkeypatch.setenv("MICROSOFT_APP_PASSWORD", "second-hidden-pw")

    with pytest.raises(ConfigError) as raised:
        load_settings()

    message = str(raised.value)
    assert ("MicrosoftAppPassword and MICROSOFT_APP_PASSWORD" in message, "hidden-pw" in message) == (
        True,
        False,
    )


def test_two_spellings_with_the_same_value_are_fine(monkeypatch):
    """Setting both spellings to one value is not a conflict."""
    monkeypatch.setenv("MicrosoftAppId", "app-one")
    monkeypatch.setenv("MICROSOFT_APP_ID", "app-one")

    assert load_settings().microsoft_app_id == "app-one"


def test_a_spelling_in_dotenv_conflicting_with_the_environment_is_an_error(tmp_path, monkeypatch):
    """MicrosoftAppId in .env and a different MICROSOFT_APP_ID in the environment are reported."""
    (tmp_path / ".env").write_text("MicrosoftAppId=app-one\n", encoding="utf-8")
    monkeypatch.setenv("MICROSOFT_APP_ID", "app-two")

    with pytest.raises(ConfigError, match="MicrosoftAppId and MICROSOFT_APP_ID are both set"):
        load_settings()


def test_slack_is_configured_by_token_and_signing_secret(monkeypatch):
    """SLACK_BOT_TOKEN plus SLACK_SIGNING_SECRET make Slack the one configured platform."""
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "shh")

    assert load_settings().platforms() == ["slack"]


def test_slack_oauth_install_is_configured_by_client_id_and_signing_secret(monkeypatch):
    """A multi-workspace install (client id + signing secret, no bot token) serves Slack."""
    monkeypatch.setenv("SLACK_CLIENT_ID", "123.456")
    monkeypatch.setenv("SLACK_CLIENT_SECRET", "cs")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "shh")

    settings = load_settings()
    assert settings.platforms() == ["slack (multi-workspace: install at /slack/install)"]
    assert settings.slack_oauth and settings.slack_problem() is None


@pytest.mark.parametrize(
    ("variables", "problem"),
    [
        ({"SLACK_CLIENT_ID": "123.456"}, "SLACK_CLIENT_ID and SLACK_CLIENT_SECRET go together"),
        ({"SLACK_CLIENT_SECRET": "cs"}, "SLACK_CLIENT_ID and SLACK_CLIENT_SECRET go together"),
        ({"SLACK_CLIENT_ID": "123.456", "SLACK_CLIENT_SECRET": "cs", "SLACK_BOT_TOKEN": "xoxb-1"},
         "SLACK_BOT_TOKEN and SLACK_CLIENT_ID are both set"),
    ],
)
def test_slack_variables_that_cannot_work_together_are_named(monkeypatch, variables, problem):
    """Half an OAuth pair, or a bot token beside it, is a problem that names the variables."""
    for name, value in {"SLACK_SIGNING_SECRET": "shh", **variables}.items():
        monkeypatch.setenv(name, value)

    found = load_settings().slack_problem()
    assert found is not None and found.startswith(problem)
    assert "shh" not in found and "cs" not in found.replace("SECRET", "")


def test_a_slack_token_without_signing_secret_does_not_configure_slack(monkeypatch):
    """Without a signing secret requests cannot be verified, so Slack is not served."""
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")

    assert load_settings().platforms() == []


def test_teams_is_configured_by_an_app_id(monkeypatch):
    """MicrosoftAppId makes Teams a configured platform."""
    monkeypatch.setenv("MicrosoftAppId", "app-1")

    assert load_settings().platforms() == ["teams"]


def test_teams_dev_flag_configures_teams_without_an_app_id(monkeypatch):
    """NUDGEBOT_TEAMS_DEV=1 mounts Teams with no app id."""
    monkeypatch.setenv("NUDGEBOT_TEAMS_DEV", "1")

    assert load_settings().platforms() == ["teams"]


def test_teams_dev_off_does_not_configure_teams(monkeypatch):
    """NUDGEBOT_TEAMS_DEV=0 leaves Teams unmounted."""
    monkeypatch.setenv("NUDGEBOT_TEAMS_DEV", "0")

    assert load_settings().platforms() == []


def test_both_platforms_can_be_configured_at_once(monkeypatch):
    """Slack and Teams credentials together configure both, Slack first."""
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "shh")
    monkeypatch.setenv("MICROSOFT_APP_ID", "app-1")

    assert load_settings().platforms() == ["slack", "teams"]


def test_secrets_never_show_in_repr_or_str(monkeypatch):
    """repr() and str() of the settings mask every secret value."""
    secrets = {
        "SLACK_BOT_TOKEN": "xoxb-secret-token",
        "SLACK_SIGNING_SECRET": "secret-signing",
        "SLACK_APP_TOKEN": "xapp-secret-token",
        "SLACK_CLIENT_SECRET": "secret-client",
        "MicrosoftAppPassword": "secret-password",
        "OPENAI_API_KEY": "sk-secret-key",
    }
    for name, value in secrets.items():
        monkeypatch.setenv(name, value)

    settings = load_settings()
    shown = repr(settings) + str(settings)

    assert [value for value in secrets.values() if value in shown] == []


def test_quiet_hours_are_parsed_into_start_and_end(monkeypatch):
    """NUDGEBOT_QUIET_HOURS=19:00-08:00 is a window from 19:00 to 08:00."""
    monkeypatch.setenv("NUDGEBOT_QUIET_HOURS", "19:00-08:00")

    assert load_settings().quiet == (time(19, 0), time(8, 0))


def test_socket_mode_only_slack_is_named_as_such():
    """A bot token with an app token but no signing secret is reported as Slack in Socket Mode only."""
    settings = load_settings(env_file=None, slack_bot_token="xoxb-1", slack_app_token="xapp-1")
    assert settings.platforms() == ["slack (Socket Mode only: set SLACK_SIGNING_SECRET for HTTP)"]
    assert not settings.slack_configured


def test_approval_limits_have_sensible_defaults():
    """Without settings: a 24-working-hour SLA, Monday to Friday 09:00-17:00, 3 approvers, 2 hops, 3 reminders."""
    settings = load_settings()

    assert (
        settings.working_time,
        settings.approval_sla_hours,
        settings.max_approvers,
        settings.max_hops,
        settings.approval_reminders,
    ) == (WorkingTime(ZoneInfo("UTC"), 540, 1020, frozenset(range(5))), 24.0, 3, 2, 3)


def test_working_time_is_in_the_configured_time_zone(monkeypatch):
    """Working hours are read in NUDGEBOT_TIMEZONE."""
    monkeypatch.setenv("NUDGEBOT_TIMEZONE", "Asia/Tokyo")

    assert load_settings().working_time.zone == ZoneInfo("Asia/Tokyo")


@pytest.mark.parametrize(
    ("variable", "value", "hint"),
    [
        ("NUDGEBOT_WORKING_HOURS", "17:00-09:00", "start before the end, for example 09:00-17:00"),
        ("NUDGEBOT_WORKING_DAYS", "weekdays", "such as mon-fri, sun-thu or mon,tue,thu"),
    ],
)
def test_a_bad_working_time_says_how_to_write_it(monkeypatch, variable, value, hint):
    """The error for working hours or days gives an example of a valid value."""
    monkeypatch.setenv(variable, value)

    with pytest.raises(ConfigError, match=hint):
        load_settings()
