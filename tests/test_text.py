"""Chat markup is read as the words people see; quotes, code and struck text are not."""

from bot.text import MAX_CHARS, clean_control, excerpt, normalise, plain


def test_slack_mentions_channels_and_links_become_words():
    """Mentions, channel links, labelled links and user groups read as plain words."""
    text = (
        "<@U024BE7LH> see <#C024BE7LR|launch-team> and <https://example.com/spec|the spec> "
        "cc <!subteam^S1|@legal> <!here>"
    )
    assert plain(text) == "@someone see #launch-team and the spec cc @legal @here"


def test_named_mention_keeps_the_name():
    """A mention that carries a name keeps it."""
    assert plain("<@U024BE7LH|dana> approved") == "@dana approved"


def test_slack_escaped_quote_lines_are_dropped():
    """Slack sends quote markers as &gt;; quoted lines are not the writer's words."""
    text = "&gt; We decided to drop IE11\nthat was last year's call"
    assert plain(text) == "that was last year's call"


def test_code_blocks_and_inline_code_are_dropped():
    """Code blocks (closed or not) disappear; inline code leaves a placeholder word."""
    assert plain("log says ```we decided X``` ok") == "log says ok"
    assert plain("run `decide --now` please") == "run code please"
    assert plain("unterminated ```we decided") == "unterminated"


def test_struck_text_is_dropped():
    """~Struck~ words were taken back."""
    assert plain("we are ~going with A~ still choosing") == "we are still choosing"


def test_teams_mentions_and_html():
    """Teams <at> mentions become @names; HTML tags and entities become text."""
    text = "<p><at>Nudgebot</at> we decided &amp; agreed</p><blockquote>old decision</blockquote>"
    assert plain(text) == "@Nudgebot we decided & agreed"


def test_approval_emoji_become_tokens():
    """Check marks and thumbs-up, as codes or characters, become tokens the rules can read."""
    expected = "emoji_check emoji_thumbsup emoji_check emoji_thumbsup emoji_cross"
    assert normalise(":white_check_mark: :+1: ✅ 👍 :-1:") == expected
    assert normalise(":tada: shipped") == "shipped"


def test_bold_and_italic_markers_are_removed_but_snake_case_stays():
    """*bold* and _italic_ lose their markers; words like feature_flag keep theirs."""
    assert plain("*Decision:* _ship_ the feature_flag") == "Decision: ship the feature_flag"


def test_control_characters_and_length_are_cleaned_for_storage():
    """NULs and control characters go; text is capped at the chat limit."""
    assert clean_control("a\x00b\x07c\n") == "abc\n"
    assert len(clean_control("x" * (MAX_CHARS + 10))) == MAX_CHARS


def test_excerpt_is_one_short_line():
    """Excerpts are single-line and end with an ellipsis when cut."""
    assert excerpt("line one\nline two") == "line one line two"
    long = excerpt("word " * 100, limit=20)
    assert len(long) == 20 and long.endswith("…")


def test_excerpts_show_emoji_as_emoji_never_the_rules_tokens():
    """What people wrote is shown back with its emoji (a shortcode as its character), never `emoji_…`."""
    shown = excerpt("Ship it Friday :thumbsup: 👍 :white_check_mark: :+1::skin-tone-2: :rocket: :our-logo:")
    assert shown == "Ship it Friday 👍 👍 ✅ 👍 🚀 :our-logo:"
    assert normalise("Ship it Friday :thumbsup: 👍") == "ship it friday emoji_thumbsup emoji_thumbsup"
