"""Working time: which hours of which days count, in the organisation's time zone.

Approval waits are measured in working hours, so a request written on Friday evening has not
waited at all by Saturday night. Pure functions over plain values; no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_WINDOW = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
# Longer than any run of days off a sane calendar has; only a guard against a loop without end.
_MAX_DAYS = 3660


def parse_window(value: str) -> tuple[int, int] | None:
    """`09:00-17:00` → (540, 1020), minutes after midnight; `24:00` may end the day. None if invalid."""
    match = _WINDOW.match(value or "")
    if not match:
        return None
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    if h1 > 23 or m1 > 59 or m2 > 59 or h2 > 24 or (h2 == 24 and m2):
        return None
    start, end = h1 * 60 + m1, h2 * 60 + m2
    return (start, end) if start < end else None


def parse_days(value: str) -> frozenset[int] | None:
    """`mon-fri`, `sun-thu`, `mon,wed,fri`, `mon-wed,fri` → weekday numbers (Monday 0). None if invalid."""
    days: set[int] = set()
    for part in (value or "").lower().replace(" ", "").split(","):
        first, _, last = part.partition("-")
        if first[:3] not in DAY_NAMES or (last and last[:3] not in DAY_NAMES):
            return None
        a = DAY_NAMES.index(first[:3])
        b = DAY_NAMES.index(last[:3]) if last else a
        days.update((a + i) % 7 for i in range((b - a) % 7 + 1))
    return frozenset(days) or None


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@dataclass(frozen=True, slots=True)
class WorkingTime:
    zone: ZoneInfo
    start: int = 9 * 60  # minutes after local midnight
    end: int = 17 * 60
    days: frozenset[int] = frozenset(range(5))  # Monday is 0

    @property
    def hours_per_day(self) -> float:
        return (self.end - self.start) / 60

    def day(self, moment: datetime) -> date:
        """The local date of a moment."""
        return moment.astimezone(self.zone).date()

    def _window(self, day: date) -> tuple[datetime, datetime]:
        # Wall-clock times, so 09:00 stays 09:00 across a change to or from summer time.
        start = datetime.combine(day, time(self.start // 60, self.start % 60), self.zone)
        if self.end == 24 * 60:
            nxt = day + timedelta(days=1)
            end = datetime(nxt.year, nxt.month, nxt.day, tzinfo=self.zone)
        else:
            end = datetime.combine(day, time(self.end // 60, self.end % 60), self.zone)
        return start, end

    def is_working(self, moment: datetime) -> bool:
        day = self.day(moment)
        if day.weekday() not in self.days:
            return False
        start, end = self._window(day)
        return start <= moment < end

    def hours_between(self, since: datetime, until: datetime) -> float:
        """Working hours from `since` to `until` (0 when `until` is not later)."""
        if until <= since:
            return 0.0
        seconds = 0.0
        day, last = self.day(since), self.day(until)
        for _ in range(_MAX_DAYS):
            if day > last:
                break
            if day.weekday() in self.days:
                start, end = self._window(day)
                overlap = (min(end, until) - max(start, since)).total_seconds()
                seconds += max(0.0, overlap)
            day += timedelta(days=1)
        return seconds / 3600

    def add(self, since: datetime, hours: float) -> datetime:
        """The moment at which `hours` working hours have passed since `since`."""
        left = timedelta(hours=hours)
        day = self.day(since)
        for _ in range(_MAX_DAYS):
            if day.weekday() in self.days:
                start, end = self._window(day)
                start = max(start, since)
                if start < end:
                    if start + left <= end:
                        return start + left
                    left -= end - start
            day += timedelta(days=1)
        raise ValueError("no working time within ten years")

    def describe(self) -> str:
        """`Mon–Fri 09:00–17:00 Europe/Berlin`."""
        order = sorted(self.days)
        runs: list[list[int]] = []
        for d in order:
            if runs and runs[-1][-1] == d - 1:
                runs[-1].append(d)
            else:
                runs.append([d])
        names = ", ".join(
            DAY_NAMES[r[0]].title() if len(r) == 1 else f"{DAY_NAMES[r[0]].title()}–{DAY_NAMES[r[-1]].title()}"
            for r in runs
        )
        return f"{names} {_clock(self.start)}–{_clock(self.end)} {self.zone.key}"
