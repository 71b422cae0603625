"""The sample centre's staff: agents with skills and contracts, shift templates and time off (seeded)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

AGENT_COLUMNS = (
    "agent_id",
    "name",
    "skills",
    "team",
    "min_hours_week",
    "max_hours_week",
    "max_days_week",
    "new_hire",
    "earliest_start",
    "latest_end",
    "contract",
    "hire_date",
)
SHIFT_COLUMNS = ("shift", "start", "length_minutes", "days", "lunch_minutes", "breaks", "category")
TIME_OFF_COLUMNS = ("agent_id", "date", "start", "end")
WEEKDAYS = "Mon;Tue;Wed;Thu;Fri"
WEEKEND = "Sat;Sun"
# (team, skills, how many agents): most agents hold one or two skills, about one in ten holds three. Sized so that an
# ordinary week's requirements (about 4,100 scheduled agent-hours, shares per queue: phone presale 21 %, chat
# presale 20 %, phone aftersale 20 %, chat aftersale 18 %, email 12 %, complaints 10 %) fit the agents' contract
# hours, and the promotion weeks (Double 11: 1.5–2.5× that) do not: those are what the scenarios address. Email has
# a dedicated desk (10 agents who hold only email), so a short promotion week takes its hours from the busy queues
# first instead of starving the email backlog (a FIFO backlog short of capacity for days makes every email late).
SKILL_MIX: tuple[tuple[str, str, int], ...] = (
    ("presale", "phone_presale", 18),
    ("presale", "chat_presale", 12),
    ("presale", "phone_presale;chat_presale", 14),
    ("presale", "phone_presale;chat_presale;chat_aftersale", 2),
    ("aftersale", "phone_aftersale", 18),
    ("aftersale", "chat_aftersale", 8),
    ("aftersale", "chat_aftersale;email_aftersale", 4),
    ("aftersale", "email_aftersale", 10),
    ("aftersale", "phone_aftersale;chat_aftersale", 6),
    ("aftersale", "phone_aftersale;chat_aftersale;email_aftersale", 4),
    ("complaints", "phone_complaints", 10),
    ("complaints", "phone_complaints;phone_aftersale", 5),
    ("complaints", "phone_complaints;phone_aftersale;email_aftersale", 2),
    ("online", "chat_presale;chat_aftersale", 7),
    ("online", "chat_aftersale;email_aftersale", 6),
    ("online", "chat_presale;chat_aftersale;email_aftersale", 4),
)
PART_TIME_SHARE = 1 / 10
NEW_HIRE_SHARE = 0.1
NEW_HIRE_PERIOD = (date(2026, 10, 8), date(2026, 10, 26))  # hired shortly before the first rostered month
VETERAN_PERIOD = (date(2018, 3, 1), date(2026, 6, 30))
TIME_OFF_MONTH = (date(2026, 11, 1), date(2026, 11, 30))
TIME_OFF_BLACKOUT = (date(2026, 11, 9), date(2026, 11, 13))  # no leave around Double 11
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟"
    "谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN_CHARACTERS = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂英华玉萍红鹏辉建国文斌宇浩凯婷雪琳晨欣怡佳悦思雨子涵梓轩"
    "一诺嘉宁博文俊熙天佑若曦语嫣雅琪梦瑶慧颖晓东海波志鹏春梅秋菊冬梅海燕丹丹亮亮"
)
FIXED_NAMES = ("李雷", "韩梅梅")


@dataclass(frozen=True)
class ShiftTemplate:
    """One shift template: start (HH:MM), length including lunch, paid lunch excluded, breaks in minutes."""

    shift: str
    start: str
    length_minutes: int
    category: str
    lunch_minutes: int = 0
    breaks: str = ""
    days: str = ""  # blank = every day


def _eight_hour(code: str, start: str, category: str) -> ShiftTemplate:
    """An 8-hour shift plus a one-hour unpaid lunch and two 15-minute breaks."""
    return ShiftTemplate(f"{code}_8h", start, 540, category, lunch_minutes=60, breaks="15;15")


SHIFTS: tuple[ShiftTemplate, ...] = (
    _eight_hour("E0700", "07:00", "early"),
    _eight_hour("E0730", "07:30", "early"),
    _eight_hour("E0800", "08:00", "early"),
    _eight_hour("D0830", "08:30", "day"),
    _eight_hour("D0900", "09:00", "day"),
    _eight_hour("D1000", "10:00", "day"),
    _eight_hour("D1100", "11:00", "day"),
    _eight_hour("D1200", "12:00", "day"),
    _eight_hour("L1300", "13:00", "late"),
    _eight_hour("L1400", "14:00", "late"),
    _eight_hour("L1500", "15:00", "late"),
    ShiftTemplate("E0800_6h", "08:00", 360, "early", breaks="15"),
    ShiftTemplate("D1000_6h", "10:00", 360, "day", breaks="15"),
    ShiftTemplate("D1200_6h", "12:00", 360, "day", breaks="15"),
    ShiftTemplate("L1600_6h", "16:00", 360, "late", breaks="15"),
    ShiftTemplate("N1800_6h", "18:00", 360, "night", breaks="15"),
    ShiftTemplate("E0800_4h", "08:00", 240, "early", breaks="15", days=WEEKDAYS),
    ShiftTemplate("D1100_4h", "11:00", 240, "day", breaks="15"),
    ShiftTemplate("W1000_4h", "10:00", 240, "day", breaks="15", days=WEEKEND),
    ShiftTemplate("L1600_4h", "16:00", 240, "late", breaks="15"),
    ShiftTemplate("N2000_4h", "20:00", 240, "night", breaks="15"),
)


def shifts_frame() -> pd.DataFrame:
    """The contents of shifts.csv."""
    rows = [(s.shift, s.start, s.length_minutes, s.days, s.lunch_minutes, s.breaks, s.category) for s in SHIFTS]
    return pd.DataFrame(rows, columns=list(SHIFT_COLUMNS))


def _names(rng: np.random.Generator, count: int) -> list[str]:
    """Distinct Chinese names: a surname and one or two given-name characters (the two famous ones first)."""
    names = list(FIXED_NAMES)
    while len(names) < count:
        given = "".join(rng.choice(list(GIVEN_CHARACTERS), size=int(rng.choice([1, 2], p=[0.35, 0.65]))))
        name = str(rng.choice(list(SURNAMES))) + given
        if name not in names:
            names.append(name)
    return names[:count]


def _random_day(rng: np.random.Generator, first: date, last: date) -> date:
    """A uniformly drawn day between first and last (inclusive)."""
    return first + timedelta(days=int(rng.integers(0, (last - first).days + 1)))


def agents_frame(rng: np.random.Generator) -> pd.DataFrame:
    """The contents of agents.csv (~130 agents)."""
    plan = [(team, skills) for team, skills, count in SKILL_MIX for _ in range(count)]
    total = len(plan)
    names = _names(rng, total)
    order = rng.permutation(total)  # mix teams so agent ids do not follow the team list
    single_skill = [i for i, (_, skills) in enumerate(plan) if ";" not in skills]
    new_hires = set(rng.choice(single_skill, size=round(total * NEW_HIRE_SHARE), replace=False).tolist())
    others = [i for i in range(total) if i not in new_hires]
    part_time = set(rng.choice(others, size=round(total * PART_TIME_SHARE), replace=False).tolist())
    rows = []
    for number, i in enumerate(order, start=1):
        team, skills = plan[i]
        is_part_time = i in part_time
        is_new = i in new_hires
        earliest, latest = "", ""
        if is_part_time and rng.random() < 0.4:
            earliest = str(rng.choice(["10:00", "12:00", "16:00"]))
        elif rng.random() < 0.08:
            latest = str(rng.choice(["18:00", "19:00"]))
        max_hours = int(rng.choice([24, 30])) if is_part_time else 40
        rows.append(
            {
                "agent_id": f"A{number:03d}",
                "name": names[number - 1],
                "skills": skills,
                "team": team,
                "min_hours_week": 20 if is_part_time else 40,
                "max_hours_week": max_hours,
                "max_days_week": (4 if max_hours == 24 else 5) if is_part_time else 5,
                "new_hire": "true" if is_new else "false",
                "earliest_start": earliest,
                "latest_end": latest,
                "contract": "part_time" if is_part_time else "full_time",
                "hire_date": _random_day(rng, *(NEW_HIRE_PERIOD if is_new else VETERAN_PERIOD)).isoformat(),
            }
        )
    return pd.DataFrame(rows, columns=list(AGENT_COLUMNS))


def time_off_frame(rng: np.random.Generator, agents: pd.DataFrame, count: int = 12) -> pd.DataFrame:
    """The contents of time_off.csv: a few whole days and part days off in November 2026."""
    veterans = agents.loc[agents["new_hire"] == "false", "agent_id"].to_list()
    chosen = rng.choice(veterans, size=count - 2, replace=False)
    rows = []
    for k, agent in enumerate(chosen):
        day = _random_day(rng, *TIME_OFF_MONTH)
        while TIME_OFF_BLACKOUT[0] <= day <= TIME_OFF_BLACKOUT[1]:
            day = _random_day(rng, *TIME_OFF_MONTH)
        rows.append((str(agent), day.isoformat(), "", ""))
        after = day + timedelta(days=1)
        if k < 2 and after <= TIME_OFF_MONTH[1] and not TIME_OFF_BLACKOUT[0] <= after <= TIME_OFF_BLACKOUT[1]:
            rows.append((str(agent), after.isoformat(), "", ""))  # two of them take the next day off too
    rows[-1] = (rows[-1][0], rows[-1][1], "13:00", "18:00")  # a part day off (an appointment)
    frame = pd.DataFrame(rows, columns=list(TIME_OFF_COLUMNS))
    return frame.sort_values(["date", "agent_id"], kind="stable").reset_index(drop=True)
