"""When a nudge is held back, and how mutes are parsed and described (pure functions)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.errors import InputError
from bot.models import FOREVER, ChannelSettings, Kind, Verdict, iso
from bot.policy import (
    NudgeContext,
    Politeness,
    describe_mute,
    hold_reason,
    mute,
    parse_duration,
    start_of_day,
    unmute,
)

UTC_ZONE = ZoneInfo("UTC")
NEW_YORK = ZoneInfo("America/New_York")
# A Wednesday, mid-morning UTC.
NOW = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)

DECISION = Verdict(Kind.DECISION, customer_rationale=False, nudge=True)
REQUEST = Verdict(Kind.APPROVAL_REQUEST, customer_rationale=False, nudge=True)


def context(**changes) -> NudgeContext:
    values = dict(thread_nudged=False, channel=ChannelSettings(), last_nudge_to_author=None, nudges_today=0)
    values.update(changes)
    return NudgeContext(**values)


def rules(**changes) -> Politeness:
    values = dict(zone=UTC_ZONE, cooldown=timedelta(minutes=10), daily_cap=10, quiet=None)
    values.update(changes)
    return Politeness(**values)


# -- hold_reason ------------------------------------------------------------------------------


def test_a_decision_without_customer_is_nudged_when_nothing_holds_it():
    """A decision lacking a customer, in a quiet-free unmuted channel, is sent (no reason to hold)."""
    assert hold_reason(DECISION, context(), rules(), NOW) is None


def test_a_decision_that_states_its_customer_needs_no_nudge():
    """A decision with a customer rationale is held because it states its customer."""
    verdict = Verdict(Kind.DECISION, customer_rationale=True, nudge=False)

    assert hold_reason(verdict, context(), rules(), NOW) == "the message states its customer"


def test_an_ordinary_message_needs_no_nudge():
    """A message that is not a decision has nothing to ask."""
    verdict = Verdict(Kind.OTHER, customer_rationale=None, nudge=False)

    assert hold_reason(verdict, context(), rules(), NOW) == "nothing to ask"


def test_a_thread_already_nudged_is_not_nudged_again():
    """At most one nudge per thread."""
    assert hold_reason(DECISION, context(thread_nudged=True), rules(), NOW) == (
        "this thread was already asked once"
    )


def test_a_muted_channel_holds_the_nudge_and_says_until_when():
    """A channel muted until next week holds the nudge, naming the expiry."""
    muted = ChannelSettings(muted_until=iso(NOW + timedelta(days=7)), muted_by="U_BOB")

    assert hold_reason(DECISION, context(channel=muted), rules(), NOW) == (
        "the channel is muted until Wed 25 Nov 2026 10:00 UTC"
    )


def test_a_channel_muted_forever_holds_the_nudge():
    """A channel muted forever holds the nudge until someone unmutes it."""
    muted = ChannelSettings(muted_until=FOREVER, muted_by="U_BOB")

    assert hold_reason(DECISION, context(channel=muted), rules(), NOW) == (
        "the channel is muted until someone unmutes it"
    )


def test_an_expired_mute_no_longer_holds():
    """A mute that ended a minute ago lets the nudge through."""
    expired = ChannelSettings(muted_until=iso(NOW - timedelta(minutes=1)), muted_by="U_BOB")

    assert hold_reason(DECISION, context(channel=expired), rules(), NOW) is None


def test_approval_request_nudges_can_be_turned_off_per_channel():
    """A channel that turned approval-request questions off holds them."""
    channel = ChannelSettings(approval_nudges=False)

    assert hold_reason(REQUEST, context(channel=channel), rules(), NOW) == (
        "this channel turned off questions on approval requests"
    )


def test_decisions_are_still_nudged_where_approval_nudges_are_off():
    """Turning off approval-request questions leaves decisions nudged."""
    channel = ChannelSettings(approval_nudges=False)

    assert hold_reason(DECISION, context(channel=channel), rules(), NOW) is None


def test_approval_requests_are_nudged_by_default():
    """Without a channel setting, an approval request lacking a customer is nudged."""
    assert hold_reason(REQUEST, context(), rules(), NOW) is None


def test_quiet_hours_hold_the_nudge():
    """Inside a same-day window (12:00-14:00 UTC) the nudge is held."""
    quiet = rules(quiet=(time(12, 0), time(14, 0)))

    assert hold_reason(DECISION, context(), quiet, NOW.replace(hour=13)) == "it is quiet hours"


def test_the_end_of_quiet_hours_is_not_quiet():
    """At the window's end time (14:00) the nudge goes out."""
    quiet = rules(quiet=(time(12, 0), time(14, 0)))

    assert hold_reason(DECISION, context(), quiet, NOW.replace(hour=14)) is None


@pytest.mark.parametrize(
    ("utc_hour", "utc_minute", "held"),
    [
        pytest.param(3, 30, True, id="22:30 New York, the evening before"),
        pytest.param(5, 0, True, id="midnight New York"),
        pytest.param(11, 59, True, id="06:59 New York"),
        pytest.param(12, 0, False, id="07:00 New York"),
        pytest.param(23, 30, False, id="18:30 New York, 23:30 UTC"),
        pytest.param(2, 59, False, id="21:59 New York"),
    ],
)
def test_quiet_hours_wrapping_midnight_follow_the_configured_zone(utc_hour, utc_minute, held):
    """22:00-07:00 in America/New_York is quiet by New York's clock, not UTC's."""
    quiet = rules(zone=NEW_YORK, quiet=(time(22, 0), time(7, 0)))
    now = datetime(2026, 11, 18, utc_hour, utc_minute, tzinfo=UTC)

    assert hold_reason(DECISION, context(), quiet, now) == ("it is quiet hours" if held else None)


def test_the_author_is_not_asked_again_inside_the_cooldown():
    """An author asked 5 minutes ago, with a 10-minute cooldown, is not asked again."""
    ctx = context(last_nudge_to_author=NOW - timedelta(minutes=5))

    assert hold_reason(DECISION, ctx, rules(), NOW) == "the author was asked 5 min ago (cooldown 10 min)"


def test_the_cooldown_is_described_in_hours_when_whole():
    """A 2-hour cooldown is described as 2 h."""
    ctx = context(last_nudge_to_author=NOW - timedelta(minutes=30))

    assert hold_reason(DECISION, ctx, rules(cooldown=timedelta(hours=2)), NOW) == (
        "the author was asked 30 min ago (cooldown 2 h)"
    )


def test_the_author_is_asked_again_after_the_cooldown():
    """Once the cooldown has passed, the author can be asked again."""
    ctx = context(last_nudge_to_author=NOW - timedelta(minutes=10))

    assert hold_reason(DECISION, ctx, rules(), NOW) is None


def test_a_zero_cooldown_never_holds():
    """Cooldown 0 lets an author asked a second ago be asked again."""
    ctx = context(last_nudge_to_author=NOW - timedelta(seconds=1))

    assert hold_reason(DECISION, ctx, rules(cooldown=timedelta(0)), NOW) is None


def test_the_daily_cap_holds_once_reached():
    """A channel that had 10 questions today, with a cap of 10, gets no more."""
    assert hold_reason(DECISION, context(nudges_today=10), rules(), NOW) == (
        "the channel reached today's cap of 10 questions"
    )


def test_below_the_daily_cap_the_nudge_goes_out():
    """The tenth question of the day, with a cap of 10, is still asked."""
    assert hold_reason(DECISION, context(nudges_today=9), rules(), NOW) is None


def test_the_day_starts_at_midnight_in_the_configured_zone():
    """03:00 UTC on the 18th is still the 17th in New York: its day started at 05:00 UTC on the 17th."""
    start = start_of_day(datetime(2026, 11, 18, 3, 0, tzinfo=UTC), NEW_YORK)

    assert start.astimezone(UTC) == datetime(2026, 11, 17, 5, 0, tzinfo=UTC)


# -- durations and mutes ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30m", timedelta(minutes=30)),
        ("2h", timedelta(hours=2)),
        ("3d", timedelta(days=3)),
        ("1w", timedelta(weeks=1)),
        (" 2 hours ", timedelta(hours=2)),
        ("45 minutes", timedelta(minutes=45)),
        ("2D", timedelta(days=2)),
        ("", timedelta(days=7)),
        ("   ", timedelta(days=7)),
        ("forever", None),
    ],
)
def test_parse_duration_understands_common_spellings(text, expected):
    """30m, 2h, 3d, 1w (and longer spellings) become durations; forever is None; empty is a week."""
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["soon", "0h", "-1d", "2x", "1.5h", "h"])
def test_parse_duration_rejects_what_is_not_a_duration(text):
    """Bad input is an InputError quoting it and showing the forms that work."""
    with pytest.raises(InputError) as raised:
        parse_duration(text)

    assert str(raised.value) == (
        f"'{text}' is not a duration. Use something like 30m, 2h, 3d, 1w, or 'forever'."
    )


def test_mute_for_a_duration_ends_that_long_after_now():
    """Muting for 2h records who muted and an expiry two hours from now; other settings stay."""
    before = ChannelSettings(ephemeral=True, approval_nudges=False)

    assert mute(before, timedelta(hours=2), "U_BOB", NOW) == ChannelSettings(
        muted_until=iso(NOW + timedelta(hours=2)), muted_by="U_BOB", ephemeral=True, approval_nudges=False
    )


def test_mute_forever_has_no_expiry():
    """Muting forever stores the FOREVER marker."""
    assert mute(ChannelSettings(), None, "U_BOB", NOW) == ChannelSettings(muted_until=FOREVER, muted_by="U_BOB")


def test_unmute_clears_the_mute_and_keeps_the_rest():
    """Unmuting removes expiry and author, and keeps ephemeral/approval settings."""
    muted = ChannelSettings(muted_until=FOREVER, muted_by="U_BOB", ephemeral=True, approval_nudges=False)

    assert unmute(muted) == ChannelSettings(ephemeral=True, approval_nudges=False)


def test_describe_mute_shows_the_expiry_in_the_configured_zone():
    """An expiry of 10:00 UTC reads 11:00 CET for a Berlin team."""
    muted = ChannelSettings(muted_until=iso(datetime(2026, 11, 25, 10, 0, tzinfo=UTC)))

    assert describe_mute(muted, ZoneInfo("Europe/Berlin")) == "until Wed 25 Nov 2026 11:00 CET"


def test_describe_mute_forever():
    """A permanent mute lasts until someone unmutes it."""
    assert describe_mute(ChannelSettings(muted_until=FOREVER), UTC_ZONE) == "until someone unmutes it"
