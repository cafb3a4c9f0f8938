"""Who sees what in a digest: public channels' items everywhere, a private channel's or a DM's only in
that conversation's own digest or its author's DM, and one workspace never another's."""

from __future__ import annotations

import json
from zoneinfo import ZoneInfo

import pytest
from digest_seed import DM_SECRET, HR_SECRET, MONDAY_AFTER, NO_CUSTOMER, OTHER_SECRET, WEEK, at, log, seed

from bot.approvals import ApprovalRules
from bot.digest import parse_week
from bot.digest_render import MARKDOWN, render_markdown, render_text
from bot.digest_report import Destination, compose
from bot.models import Visibility
from bot.workhours import WorkingTime

UTC_ZONE = ZoneInfo("UTC")
RULES = ApprovalRules(WorkingTime(UTC_ZONE))


@pytest.fixture
def seeded(store):
    return seed(store)


def everything(store, principles, kind="public", channel=None, user=None, workspace="T_ONE", platform="slack"):
    """The digest and every form it is shown in, as one string to search."""
    d = compose(store, principles, RULES, Destination(platform, workspace, kind, channel=channel, user=user),
                parse_week(WEEK, UTC_ZONE), UTC_ZONE, MONDAY_AFTER)
    return d, "\n".join([render_text(d), render_markdown(d), render_markdown(d, MARKDOWN), json.dumps(d.as_dict())])


def test_a_public_channels_digest_has_public_items_only(store, principles, seeded):
    """#general's digest counts and lists public channels' items; no private channel's, DM's or other
    workspace's words, in any format."""
    d, shown = everything(store, principles, kind="channel", channel="C_GENERAL")
    assert d.figures.decisions == 5
    assert {i.id for i in d.figures.items} == {seeded[k] for k in ("d1", "d3", "r1", "d7")}
    for secret in (HR_SECRET, DM_SECRET, OTHER_SECRET):
        assert secret not in shown


def test_the_preview_without_a_channel_is_the_public_view(store, principles, seeded):
    """`nudgebot digest` without --channel: the same as any public channel's."""
    d, shown = everything(store, principles)
    assert (d.figures.decisions, [i.id for i in d.figures.items]) == (
        5, [seeded[k] for k in ("d1", "d3", "r1", "d7")])
    assert HR_SECRET not in shown and DM_SECRET not in shown


def test_a_private_channels_digest_adds_its_own_items_and_no_one_elses(store, principles, seeded):
    """#hr's own digest: the public items and #hr's decision; not the DM's."""
    d, shown = everything(store, principles, kind="channel", channel="G_HR")
    assert d.figures.decisions == 6
    assert HR_SECRET in shown and DM_SECRET not in shown and OTHER_SECRET not in shown


def test_a_dms_items_go_back_only_to_that_dm(store, principles, seeded):
    """A digest posted into the DM the decision was written in shows it; #hr's does not."""
    _, in_dm = everything(store, principles, kind="channel", channel="D_ANN")
    _, in_hr = everything(store, principles, kind="channel", channel="G_HR")
    assert DM_SECRET in in_dm and HR_SECRET not in in_dm
    assert DM_SECRET not in in_hr


def test_an_authors_dm_lists_their_own_items_only(store, principles, seeded):
    """U_ANN's DM: their public d1 and their DM's d6 (and d4 counted); nobody else's, private or public."""
    d, shown = everything(store, principles, kind="dm", user="U_ANN")
    assert [i.id for i in d.figures.items] == [seeded["d1"], seeded["d6"]]
    assert (d.figures.decisions, d.figures.with_rationale) == (3, 1)
    assert DM_SECRET in shown and HR_SECRET not in shown
    assert "onboarding survey" not in shown and "blue theme" not in shown
    assert (d.trend, d.principles_touched, d.approvals) == ([], [], None)


def test_the_private_author_gets_their_private_item_in_their_own_dm(store, principles, seeded):
    """#hr's decision reaches its author U_DAN privately, and no other author's DM."""
    _, dan = everything(store, principles, kind="dm", user="U_DAN")
    _, bob = everything(store, principles, kind="dm", user="U_BOB")
    assert HR_SECRET in dan and HR_SECRET not in bob


def test_counts_trend_and_principles_leave_private_items_out_too(store, principles, seeded):
    """Only #hr touched Earn Trust: it is untouched in the public digest and touched in #hr's; the public
    trend's W46 is 2 of 4, #hr's 3 of 5."""
    public, _ = everything(store, principles)
    hr, _ = everything(store, principles, kind="channel", channel="G_HR")
    assert "earn-trust" in [p.id for p in public.principles_untouched]
    assert "earn-trust" in [p.id for p in hr.principles_touched]
    assert (public.trend[-2].decisions, public.trend[-2].with_rationale) == (4, 2)
    assert (hr.trend[-2].decisions, hr.trend[-2].with_rationale) == (5, 3)


def test_one_workspace_never_sees_anothers_items(store, principles, seeded):
    """T_TWO's digest has its own three decisions and nothing of T_ONE's, and T_ONE's nothing of T_TWO's."""
    two, shown_two = everything(store, principles, workspace="T_TWO")
    _, shown_one = everything(store, principles)
    assert (two.figures.decisions, len(two.figures.items)) == (3, 3)
    assert OTHER_SECRET in shown_two and NO_CUSTOMER not in shown_two
    assert OTHER_SECRET not in shown_one
    assert [p.id for p in two.principles_touched] == ["frugality"]


def test_the_same_channel_id_in_two_workspaces_stays_apart(store, principles, seeded):
    """A private G_HR in T_TWO is not #hr of T_ONE: neither's digest shows the other's items."""
    log(store, "T_TWO will move payroll to vendor C.", at(18, 15), workspace="T_TWO", channel="G_HR",
        channel_name="hr", visibility=Visibility.PRIVATE)
    _, one = everything(store, principles, kind="channel", channel="G_HR")
    _, two = everything(store, principles, kind="channel", channel="G_HR", workspace="T_TWO")
    assert "vendor C" not in one and HR_SECRET in one
    assert "vendor C" in two and HR_SECRET not in two


def test_another_platform_with_the_same_workspace_id_stays_apart(store, principles, seeded):
    """A Teams tenant that happens to share T_ONE's id sees none of Slack's T_ONE items."""
    log(store, "Teams side decided to pause hiring.", at(18, 9), platform="teams", channel="19:abc")
    teams, shown = everything(store, principles, platform="teams")
    assert teams.figures.decisions == 1 and "pause hiring" in shown and NO_CUSTOMER not in shown
