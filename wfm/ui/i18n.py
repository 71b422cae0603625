"""UI labels in English and Simplified Chinese; `t(key)` returns the label in the language chosen in the sidebar."""

from __future__ import annotations

import streamlit as st

LANGUAGES = {"en": "English", "zh": "简体中文"}
LANGUAGE_KEY = "ui_language"

LABELS: dict[str, dict[str, str]] = {
    "app.title": {"en": "Contact-centre WFM", "zh": "客服中心排班管理"},
    "app.language": {"en": "Language", "zh": "语言"},
    "page.calculator": {"en": "Staffing calculator", "zh": "人力计算器"},
    "calc.model": {"en": "Model", "zh": "模型"},
    "calc.model.erlang_c": {"en": "Erlang C", "zh": "Erlang C"},
    "calc.model.erlang_a": {"en": "Erlang A", "zh": "Erlang A（含放弃）"},
    "calc.model.chat": {"en": "Chat", "zh": "在线聊天"},
    "calc.volume": {"en": "Contacts in the interval", "zh": "时段内进线量"},
    "calc.minutes": {"en": "Interval (minutes)", "zh": "时段长度（分钟）"},
    "calc.aht": {"en": "Average handle time (s)", "zh": "平均处理时长（秒）"},
    "calc.sl": {"en": "Service level target", "zh": "服务水平目标"},
    "calc.answer": {"en": "Answered within (s)", "zh": "接通时限（秒）"},
    "calc.occupancy": {"en": "Maximum occupancy", "zh": "最高占用率"},
    "calc.shrinkage": {"en": "Shrinkage", "zh": "缩减率"},
    "calc.patience": {"en": "Mean patience (s)", "zh": "平均耐心时长（秒）"},
    "calc.concurrency": {"en": "Chats per agent", "zh": "每人同时会话数"},
    "calc.net": {"en": "Agents (net)", "zh": "所需坐席（净）"},
    "calc.scheduled": {"en": "Scheduled", "zh": "排班人数"},
    "calc.service_level": {"en": "Service level", "zh": "服务水平"},
    "calc.occupancy_result": {"en": "Occupancy", "zh": "占用率"},
    "calc.agents_axis": {"en": "agents", "zh": "坐席数"},
    "calc.target": {"en": "target", "zh": "目标"},
    "calc.assumptions": {
        "en": (
            "Traffic {traffic:.2f} Erlangs = {volume:g} contacts × {aht:g} s / {seconds:g} s. Erlang C assumes "
            "Poisson arrivals, exponential handle times and callers who never hang up; Erlang A adds exponential "
            "patience (service level = answered within the target over all offered); the chat model lets an agent "
            "hold several chats, each slower the more are held (AHT multipliers {factors}). "
            "Scheduled = ⌈net / (1 − shrinkage)⌉."
        ),
        "zh": (
            "话务量 {traffic:.2f} Erlang = {volume:g} 个进线 × {aht:g} 秒 / {seconds:g} 秒。Erlang C 假设泊松到达、"
            "指数分布处理时长且客户不挂断；Erlang A 加入指数分布的客户耐心（服务水平 = 时限内接通数 / 全部进线）；"
            "聊天模型允许坐席同时处理多个会话，同时会话越多每个越慢（处理时长倍数 {factors}）。"
            "排班人数 = ⌈净人数 / (1 − 缩减率)⌉。"
        ),
    },
}


def language() -> str:
    """The language chosen in this browser session (English by default)."""
    return str(st.session_state.get(LANGUAGE_KEY, "en"))


def t(key: str, **values: object) -> str:
    """The label for `key` in the session's language, with `values` formatted in."""
    text = LABELS[key][language()]
    return text.format(**values) if values else text


def language_picker() -> None:
    """Sidebar control that switches every label between English and Chinese."""
    st.sidebar.selectbox(
        LABELS["app.language"]["en"] + " / " + LABELS["app.language"]["zh"],
        list(LANGUAGES),
        format_func=LANGUAGES.__getitem__,
        key=LANGUAGE_KEY,
    )
