"""The digest's chart: a real PNG of the promised size whose bars and words carry the weekly shares."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image  # matplotlib's own dependency

from bot.chart import BAR, HEIGHT, TITLE, WIDTH, describe, share_chart
from bot.digest import WeekShare

TREND = [
    WeekShare("2026-W43", 4, 1),  # 25%
    WeekShare("2026-W44", 0, 0),  # no decisions
    WeekShare("2026-W45", 2, 1),  # 50%
    WeekShare("2026-W46", 3, 3),  # 100%
    WeekShare("2026-W47", 4, 3),  # 75%
    WeekShare("2026-W48", 5, 0),  # 0%
]


@pytest.fixture(scope="module")
def png() -> bytes:
    return share_chart(TREND)


def chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    """The PNG's chunks (type, data), each checked against its CRC."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    found, at = [], 8
    while at < len(data):
        (length,) = struct.unpack(">I", data[at:at + 4])
        kind, body = data[at + 4:at + 8], data[at + 8:at + 8 + length]
        (crc,) = struct.unpack(">I", data[at + 8 + length:at + 12 + length])
        assert zlib.crc32(kind + body) == crc
        found.append((kind, body))
        at += 12 + length
    return found


def test_the_chart_is_a_valid_png_of_the_promised_size(png):
    """Signature, well-formed chunks ending in IEND, an IHDR of 800 × 320, and Pillow reads it whole."""
    found = chunks(png)
    assert (found[0][0], found[-1][0]) == (b"IHDR", b"IEND")
    width, height = struct.unpack(">II", found[0][1][:8])
    assert (width, height) == (WIDTH, HEIGHT) == (800, 320)
    image = Image.open(io.BytesIO(png))
    image.verify()
    assert Image.open(io.BytesIO(png)).size == (800, 320)


def test_the_png_says_in_words_what_it_shows(png):
    """The file's Title and Description (also the alt text) name every week's share."""
    texts = dict(body.decode("latin-1").split("\x00", 1) for kind, body in chunks(png) if kind == b"tEXt")
    assert texts["Title"] == TITLE
    assert texts["Description"] == describe(TREND) == (
        "Decisions with a customer rationale, by week: 2026-W43 25%, 2026-W44 no decisions, 2026-W45 50%, "
        "2026-W46 100%, 2026-W47 75%, 2026-W48 0%.")


def bar_heights(png: bytes) -> list[int]:
    """Each bar's height in pixels, left to right: runs of columns holding the bar colour."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    colour = tuple(int(BAR[i:i + 2], 16) for i in (1, 3, 5))
    pixels = image.load()
    columns = [sum(pixels[x, y] == colour for y in range(image.height)) for x in range(image.width)]
    heights, run = [], []
    for count in [*columns, 0]:
        if count:
            run.append(count)
        elif run:
            heights.append(run[len(run) // 2])  # the middle column: clear of anti-aliased edges
            run = []
    return heights


def test_the_bars_are_as_tall_as_the_shares(png):
    """Four bars are drawn (0% and "no decisions" draw none), in the order of the weeks, each as tall as its
    share: 25%, 50%, 100%, 75% of the 100% bar, to a pixel."""
    heights = bar_heights(png)
    assert len(heights) == 4
    full = heights[2]
    assert full > 150  # the 100% bar spans most of the plot
    assert [round(h / full * 100) for h in heights] == pytest.approx([25, 50, 100, 75], abs=1)


def test_a_different_trend_draws_different_bars():
    """The picture follows the data: swap two weeks' shares and their bars swap."""
    swapped = [TREND[0], TREND[1], TREND[2], TREND[4], TREND[3], TREND[5]]
    before, after = bar_heights(share_chart(TREND)), bar_heights(share_chart(swapped))
    assert after == [before[0], before[1], before[3], before[2]]
