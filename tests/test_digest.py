"""The weekly digest's content: figures, trend, items, principles and approval bottlenecks, on a
seeded log whose numbers are worked out by hand (tests/digest_seed.py); weeks in time zones."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from builders import Clock, message
from digest_seed import MONDAY_AFTER, NO_CUSTOMER, WEEK, at, log, seed

from bot.approvals import ApprovalRules
from bot.config import PROMPTS_DIR
from bot.digest import build, last_full_week, parse_week, week_of
from bot.digest_render import MARKDOWN, render_markdown, render_text
from bot.digest_report import Destination, compose
from bot.engine import Engine
from bot.errors import InputError
from bot.models import Visibility
from bot.policy import Politeness
from bot.prompts import Prompts
from bot.workhours import WorkingTime

UTC_ZONE = ZoneInfo("UTC")
RULES = ApprovalRules(WorkingTime(UTC_ZONE))


@pytest.fixture
def seeded(store):
    return seed(store)


def digest_for(store, principles, kind="public", channel=None, user=None, workspace="T_ONE", week=WEEK,
               zone=UTC_ZONE, now=MONDAY_AFTER, **kw):
    destination = Destination("slack", workspace, kind, channel=channel, user=user)
    return compose(store, principles, RULES, destination, parse_week(week, zone), zone, now, **kw)


# -- headline figures --------------------------------------------------------------------------


def test_the_headline_counts_the_weeks_public_decisions_and_their_share(store, principles, seeded):
    """5 public decisions in W47, 2 with a customer rationale (one stated, one not customer-facing): 40%,
    10 points below W46's 50%; one approval request, approved after 6 h."""
    d = digest_for(store, principles)
    f = d.figures
    assert (f.week, f.decisions, f.with_rationale, f.share, f.previous_share, d.change_points) == (
        WEEK, 5, 2, 0.4, 0.5, -10)
    assert (f.requests_opened, f.requests_resolved, f.median_hours_to_approval) == (1, 1, 6.0)


def test_the_four_week_trend_and_the_chart_weeks(store, principles, seeded):
    """The last four weeks: W44 nothing, W45 0 of 2, W46 2 of 4, W47 2 of 5; 4 of 11 (36%) together.
    The chart's twelve weeks end with the digest's own."""
    d = digest_for(store, principles)
    assert [(w.week, w.decisions, w.with_rationale, w.share) for w in d.recent] == [
        ("2026-W44", 0, 0, None), ("2026-W45", 2, 0, 0.0), ("2026-W46", 4, 2, 0.5), ("2026-W47", 5, 2, 0.4)]
    assert d.recent_share == 0.364
    assert [w.week for w in d.trend] == [f"2026-W{n}" for n in range(36, 48)]
    assert sum(w.decisions for w in d.trend) == 11


def test_items_lacking_a_rationale_are_oldest_first_then_most_discussed(store, principles, seeded):
    """Monday's d1, Tuesday's d3 (5 replies), Thursday's approval request r1, Sunday night's d7."""
    d = digest_for(store, principles)
    ids = [i.id for i in d.figures.items]
    assert ids == [seeded["d1"], seeded["d3"], seeded["r1"], seeded["d7"]]
    first = d.figures.items[0]
    assert (first.channel, first.channel_name, first.author, first.author_name, first.excerpt, first.written,
            first.age_days, first.replies) == (
        "C_GENERAL", "general", "U_ANN", "Person U_ANN", NO_CUSTOMER, "Mon 16 Nov 10:00", 6, 0)
    assert first.permalink.startswith("https://acme.slack.com/archives/C_GENERAL/p")


def test_on_the_same_day_the_most_discussed_comes_first(store, principles):
    """Two decisions of one day: the one with more replies is listed first, though written later."""
    quiet = log(store, NO_CUSTOMER, at(17, 9), replies=1)
    busy = log(store, "We decided to drop the legacy API.", at(17, 16), replies=7)
    assert [i.id for i in digest_for(store, principles).figures.items] == [busy, quiet]


def test_a_long_list_is_cut_with_the_count_of_the_rest(store, principles):
    """Twelve decisions lacking a customer, ten listed: 'and 2 more'."""
    for hour in range(12):
        log(store, NO_CUSTOMER, at(17, 8 + hour % 10, hour))
    d = digest_for(store, principles, limit=10)
    assert (len(d.figures.items), d.figures.more) == (10, 2)
    assert "…and 2 more." in render_markdown(d)
    assert "…and 2 more" in render_text(d)


def test_principles_touched_and_untouched(store, principles, seeded):
    """bias-for-action twice, customer-obsession and deliver-results once; the other thirteen untouched."""
    d = digest_for(store, principles)
    assert [(p.id, p.decisions) for p in d.principles_touched] == [
        ("bias-for-action", 2), ("customer-obsession", 1), ("deliver-results", 1)]
    assert [p.name for p in d.principles_touched] == ["Bias for Action", "Customer Obsession", "Deliver Results"]
    assert [p.id for p in d.principles_untouched] == [
        p.id for p in principles if p.id not in ("bias-for-action", "customer-obsession", "deliver-results")]
    assert len(d.principles_untouched) == len(principles) - 3 == 13


def test_the_text_and_markdown_carry_the_same_numbers(store, principles, seeded):
    """Every figure of the headline, the trend and the principles is in each rendering."""
    d = digest_for(store, principles)
    text, mrkdwn, markdown = render_text(d), render_markdown(d), render_markdown(d, MARKDOWN)
    for rendered in (text, mrkdwn, markdown):
        assert "40%" in rendered and "36%" in rendered
        assert "W44 –, W45 0%, W46 50%, W47 40%" in rendered
        assert "Bias for Action 2 · Customer Obsession 1 · Deliver Results 1" in rendered
        assert "median time to approval 6 working hours" in rendered
        assert NO_CUSTOMER in rendered
    assert "5 decisions logged; 2 (40%) say who the customer is (-10 points on the week before)." in mrkdwn
    assert "Decisions: 5   with customer rationale: 2 (40%)   previous week: 50% (-10 points)" in text
    assert "**Still without a customer rationale**" in markdown and "[open](https://acme.slack.com/" in markdown
    assert "*Still without a customer rationale*" in mrkdwn and "<https://acme.slack.com/" in mrkdwn


def test_the_json_form_has_the_destination_figures_and_items(store, principles, seeded):
    """as_dict: destination, the headline, the items, the trend, the principles; nothing private."""
    data = digest_for(store, principles, kind="channel", channel="C_GENERAL").as_dict()
    assert data["destination"] == {"kind": "channel", "channel": "C_GENERAL", "user": None}
    assert (data["platform"], data["workspace"], data["week"], data["decisions"], data["share"],
            data["change_points"], data["four_week_share"]) == ("slack", "T_ONE", WEEK, 5, 0.4, -10, 0.364)
    assert [i["id"] for i in data["items"]] == [seeded[k] for k in ("d1", "d3", "r1", "d7")]
    assert data["trend"][-1] == {"week": WEEK, "decisions": 5, "with_rationale": 2, "share": 0.4}
    assert data["principles"]["touched"][0] == {"id": "bias-for-action", "name": "Bias for Action", "decisions": 2}


def test_a_week_with_nothing_logged_says_so(store, principles):
    """An empty week: no decisions, no items, nothing touched."""
    d = digest_for(store, principles)
    assert (d.figures.decisions, d.figures.items, d.principles_touched) == (0, [], [])
    assert "No decisions logged this week." in render_markdown(d)


# -- approval bottlenecks ----------------------------------------------------------------------


@pytest.fixture
def bot(store, principles) -> Engine:
    clock = Clock(at(16, 10))
    return Engine(store, principles, Prompts(PROMPTS_DIR), Politeness(zone=UTC_ZONE), clock=clock,
                  approval_rules=RULES)


def test_bottlenecks_list_requests_past_the_sla_and_the_slowest_approvers(bot, principles):
    """A request waiting since Monday 10:00 has 39 working hours by the next Monday 09:00, past the 24-hour
    goal; U_A took 7 working hours to approve another one, U_B 2."""
    waiting = message("<@U_A> <@U_B> can you approve the Q3 vendor contract?", clock=bot.clock)
    bot.handle(waiting)
    other = message("<@U_A> can you approve the new pricing page?", clock=bot.clock, author="U_CAT")
    bot.handle(other)
    bot.clock.now = at(16, 17)
    bot.handle(message("Approved.", clock=bot.clock, thread=other.ts, author="U_A"))
    bot.clock.now = at(17, 10)
    third = message("<@U_B> can you approve the new logo?", clock=bot.clock, author="U_DAN")
    bot.handle(third)
    bot.clock.now = at(17, 12)
    bot.handle(message("Approved.", clock=bot.clock, thread=third.ts, author="U_B"))

    d = digest_for(bot.store, principles)
    b = d.approvals
    assert (b.sla_hours, b.working_time) == (24.0, "Mon–Fri 09:00–17:00 UTC")
    assert [(o.requester, o.working_hours, o.waiting_for) for o in b.overdue] == [
        ("U_ANN", 39.0, ["@U_A", "@U_B"])]
    assert [(a.label, a.median_hours, a.count) for a in b.slowest_approvers] == [("@U_A", 7.0, 1), ("@U_B", 2.0, 1)]
    text = render_markdown(d)
    assert "*Approval bottlenecks* (goal 24 working hours, Mon–Fri 09:00–17:00 UTC), open past the goal:" in text
    assert "39 working hours, waiting for @U_A, @U_B" in text
    assert ("Slowest approvers: @U_A 7 working hours median (1 approved), "
            "@U_B 2 working hours median (1 approved).") in text


def test_a_private_request_is_a_bottleneck_only_in_its_own_channel(bot, principles):
    """An overdue request in a private channel shows in that channel's digest, not in a public one's."""
    bot.handle(message("<@U_A> can you approve the salary bands?", clock=bot.clock, channel="G_HR",
                       visibility=Visibility.PRIVATE))
    public = digest_for(bot.store, principles, kind="channel", channel="C_GENERAL")
    own = digest_for(bot.store, principles, kind="channel", channel="G_HR")
    assert (public.approvals.overdue, [o.channel for o in own.approvals.overdue]) == ([], ["G_HR"])
    assert "salary bands" not in render_markdown(public) and "salary bands" in render_markdown(own)


# -- weeks and time zones ----------------------------------------------------------------------


def test_a_week_runs_from_monday_midnight_in_the_configured_zone():
    """2026-W47 in New York is Mon 16 Nov 00:00 EST (05:00 UTC) to Mon 23 Nov 00:00 EST."""
    week = parse_week("2026-W47", ZoneInfo("America/New_York"))
    assert (week.start.astimezone(UTC), week.end.astimezone(UTC)) == (
        datetime(2026, 11, 16, 5, tzinfo=UTC), datetime(2026, 11, 23, 5, tzinfo=UTC))


def test_the_week_daylight_saving_ends_is_169_hours_long():
    """US clocks go back on Sun 1 Nov 2026: W44 in New York starts at 04:00 UTC and ends at 05:00 UTC."""
    week = parse_week("2026-W44", ZoneInfo("America/New_York"))
    assert week.end.astimezone(UTC) - week.start.astimezone(UTC) == timedelta(hours=169)
    assert (week.start.astimezone(UTC).hour, week.end.astimezone(UTC).hour) == (4, 5)


def test_sunday_night_in_new_york_is_monday_in_utc(store, principles):
    """A decision at 03:30 UTC on Monday 23 Nov is Sunday 22:30 in New York: W47 there, W48 in UTC."""
    log(store, NO_CUSTOMER, datetime(2026, 11, 23, 3, 30, tzinfo=UTC))
    new_york = ZoneInfo("America/New_York")
    assert digest_for(store, principles, zone=new_york).figures.decisions == 1
    assert digest_for(store, principles).figures.decisions == 0
    assert digest_for(store, principles, week="2026-W48").figures.decisions == 1
    [item] = digest_for(store, principles, zone=new_york).figures.items
    assert item.written == "Sun 22 Nov 22:30"


def test_east_of_utc_a_monday_morning_belongs_to_the_new_week(store, principles):
    """Mon 16 Nov 08:00 in Auckland is Sun 15 Nov 19:00 UTC: W47 in Auckland, W46 in UTC."""
    auckland = ZoneInfo("Pacific/Auckland")
    log(store, NO_CUSTOMER, datetime(2026, 11, 16, 8, tzinfo=auckland))
    assert digest_for(store, principles, zone=auckland).figures.decisions == 1
    assert digest_for(store, principles, week="2026-W46").figures.decisions == 1


def test_last_full_week_on_monday_morning_is_the_week_just_ended():
    """At Monday 00:30 in Berlin the last full week is the one that ended half an hour ago; in UTC it is
    still Sunday 23:30, so there the last full week is the one before."""
    berlin = ZoneInfo("Europe/Berlin")
    now = datetime(2026, 11, 23, 0, 30, tzinfo=berlin)
    assert last_full_week(now, berlin).label == "2026-W47"
    assert (week_of(now, UTC_ZONE).label, last_full_week(now, UTC_ZONE).label) == ("2026-W47", "2026-W46")


def test_week_53_and_the_turn_of_the_year(store, principles):
    """2026 has a week 53 (28 Dec – 3 Jan); 2 Jan 2027 belongs to it; 2025 has none."""
    log(store, NO_CUSTOMER, datetime(2027, 1, 2, 12, tzinfo=UTC))
    week = parse_week("2026-W53", UTC_ZONE)
    assert (week.start.date().isoformat(), week.end.date().isoformat()) == ("2026-12-28", "2027-01-04")
    assert week.previous().label == "2026-W52" and week_of(week.end, UTC_ZONE).label == "2027-W01"
    assert digest_for(store, principles, week="2026-W53").figures.decisions == 1
    with pytest.raises(InputError, match="2025 has no week 53"):
        parse_week("2025-W53", UTC_ZONE)


def test_build_keeps_the_figures_the_history_report_reads(store, seeded):
    """`build()` (the import's history report uses it) gives the week's figures and every lacking item."""
    view = build(store, "slack", "T_ONE", parse_week(WEEK, UTC_ZONE), UTC_ZONE, MONDAY_AFTER,
                 work=WorkingTime(UTC_ZONE))
    assert (view.decisions, view.with_rationale, view.share, view.previous_share, view.requests_opened,
            view.requests_resolved, view.median_hours_to_approval, len(view.items), view.more) == (
        5, 2, 0.4, 0.5, 1, 1, 6.0, 4, 0)


def test_one_decision_is_counted_in_the_singular(store, principles):
    """A week with a single decision: '1 decision logged', not '1 decisions'."""
    log(store, NO_CUSTOMER, at(17))
    assert "1 decision logged; 0 (0%) say who the customer is." in render_markdown(digest_for(store, principles))
