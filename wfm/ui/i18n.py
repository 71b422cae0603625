"""UI labels in English and Simplified Chinese; `t(key)` returns the label in the language chosen in the sidebar."""

from __future__ import annotations

import streamlit as st

LANGUAGES = {"en": "English", "zh": "简体中文"}
LANGUAGE_KEY = "ui_language"

LABELS: dict[str, dict[str, str]] = {
    "app.title": {"en": "Contact-centre WFM", "zh": "客服中心排班管理"},
    "app.language": {"en": "Language", "zh": "语言"},
    "common.opening": {"en": "Opening the workspace…", "zh": "正在打开工作区…"},
    "common.bad_input": {"en": "Bad input", "zh": "输入有误"},
    "common.unexpected": {
        "en": "Something unexpected went wrong on this page; the details are in the server log (reference {reference}). "
        "Try again, or report the reference to your administrator.",
        "zh": "本页面发生意外错误，详细信息已记录在服务器日志中（编号 {reference}）。请重试，或将此编号告知管理员。",
    },
    "page.data": {"en": "Data", "zh": "数据"},
    "data.upload": {"en": "Upload history", "zh": "上传历史数据"},
    "data.kind": {"en": "File type", "zh": "文件类型"},
    "data.kind.history": {"en": "Interval history", "zh": "时段历史"},
    "data.kind.contacts": {"en": "Per-contact log", "zh": "逐通记录"},
    "data.interval": {"en": "Interval (minutes)", "zh": "时段长度（分钟）"},
    "data.answer_seconds": {"en": "Service-level target (s)", "zh": "服务水平时限（秒）"},
    "data.file": {
        "en": "CSV file of at most {megabytes} MB (UTF-8 or GBK; .csv, or compressed as .gz, .bz2, .xz or .zip)",
        "zh": "CSV 文件，最大 {megabytes} MB（UTF-8 或 GBK；.csv，或压缩为 .gz、.bz2、.xz、.zip）",
    },
    "data.checked": {
        "en": "Checked: {rows} rows, {queues} queues, {minutes}-minute intervals.",
        "zh": "检查通过：{rows} 行，{queues} 个队列，{minutes} 分钟时段。",
    },
    "data.gaps": {
        "en": "{count} gaps found (closed hours or missing data; nothing is filled in):",
        "zh": "发现 {count} 处空缺（非营业时间或数据缺失，不做填补）：",
    },
    "data.save": {"en": "Save to the database", "zh": "保存到数据库"},
    "data.saved": {"en": "Saved {rows} rows.", "zh": "已保存 {rows} 行。"},
    "data.report": {"en": "Daily operations report", "zh": "每日运营报表"},
    "data.no_history": {"en": "No history stored yet.", "zh": "尚无历史数据。"},
    "data.period": {"en": "Two weeks from", "zh": "两周起始日"},
    "data.chart_volume": {"en": "Contacts offered per day", "zh": "每日进线量"},
    "data.chart_sl": {"en": "Service level per day", "zh": "每日服务水平"},
    "page.forecast": {"en": "Forecast", "zh": "预测"},
    "fc.start": {"en": "First day", "zh": "起始日"},
    "fc.days": {"en": "Days", "zh": "天数"},
    "fc.model": {"en": "Model", "zh": "模型"},
    "fc.auto": {"en": "automatic (best in backtest)", "zh": "自动（回测最优）"},
    "fc.holidays": {"en": "Public holidays (country code)", "zh": "法定节假日（国家代码）"},
    "fc.run": {"en": "Run forecast", "zh": "运行预测"},
    "fc.running": {"en": "Backtesting and forecasting…", "zh": "正在回测并预测…"},
    "fc.failed": {"en": "Forecast failed", "zh": "预测失败"},
    "fc.done": {"en": "Forecast run {run} saved", "zh": "预测批次 {run} 已保存"},
    "fc.queue": {"en": "Queue", "zh": "队列"},
    "fc.actual": {"en": "actual", "zh": "实际"},
    "fc.band": {"en": "80 % prediction band", "zh": "80% 预测区间"},
    "fc.forecast": {"en": "forecast", "zh": "预测"},
    "fc.contacts": {"en": "contacts per interval", "zh": "每时段进线量"},
    "fc.result": {"en": "Forecast run {run}: actual vs forecast", "zh": "预测批次 {run}：实际与预测"},
    "fc.accuracy": {
        "en": "Backtest accuracy (WAPE, MASE, bias per horizon)",
        "zh": "回测准确度（各预测期 WAPE、MASE、偏差）",
    },
    "fc.events": {"en": "Event calendar", "zh": "活动日历"},
    "fc.events_help": {
        "en": "Promotions, holidays and returns; their uplift is learned from past occurrences, or set by hand in the "
        "uplift column (ratio to a normal day) for a new event.",
        "zh": "促销、节假日与退货期；提升幅度从往年同类活动中学习，新活动可在 uplift 列手动填写（相对平常日的倍数）。",
    },
    "fc.uplift_help": {
        "en": "Optional: volume on the event's days as a ratio to a normal day (e.g. 3 for ×3); blank = learned.",
        "zh": "可选：活动期间话务量相对平常日的倍数（如 3 表示 3 倍）；留空则从历史学习。",
    },
    "fc.save_events": {"en": "Save events", "zh": "保存活动"},
    "fc.events_saved": {"en": "Saved {rows} events.", "zh": "已保存 {rows} 个活动。"},
    "page.staffing": {"en": "Staffing", "zh": "人力需求"},
    "st.queue": {"en": "Queue", "zh": "队列"},
    "st.all_queues": {"en": "all queues", "zh": "全部队列"},
    "st.agents": {"en": "agents", "zh": "坐席数"},
    "st.time": {"en": "time of day", "zh": "时刻"},
    "st.day": {"en": "day", "zh": "日期"},
    "st.no_forecast": {"en": "No forecast yet: run one on the Forecast page.", "zh": "尚无预测：请先在“预测”页运行。"},
    "st.model": {"en": "Staffing model for voice queues", "zh": "语音队列人力模型"},
    "st.model_queue": {"en": "as set per queue", "zh": "按队列设置"},
    "st.compute": {"en": "Compute requirements", "zh": "计算人力需求"},
    "st.computing": {"en": "Computing agents per interval…", "zh": "正在计算各时段所需坐席…"},
    "st.saved": {
        "en": "Saved {rows} requirement rows for forecast run {run}.",
        "zh": "已为预测批次 {run} 保存 {rows} 行需求。",
    },
    "st.no_requirements": {
        "en": "No requirements for forecast run {run} yet: compute them.",
        "zh": "预测批次 {run} 尚无人力需求，请先计算。",
    },
    "st.heatmap": {
        "en": "Agents to schedule per interval (forecast run {run}, after shrinkage)",
        "zh": "各时段需排班人数（预测批次 {run}，已计缩减率）",
    },
    "st.daily_hours": {"en": "Agent-hours to schedule per day and queue", "zh": "每日各队列需排班工时"},
    "st.assumptions": {"en": "Assumptions", "zh": "计算假设"},
    "st.assumptions_help": {
        "en": "Voice: Erlang C (no abandonment) or Erlang A (exponential patience; service level = answered in time "
        "over all offered). Chat: agents hold several chats, each slower by its AHT factor. Email: each "
        "interval's work is spread over its response window. Scheduled = ⌈net / (1 − shrinkage)⌉; occupancy is "
        "capped; a queue's minimum applies while it is open. Details: docs/staffing.md.",
        "zh": "语音：Erlang C（不考虑放弃）或 Erlang A（指数耐心；服务水平 = 时限内接通 / 全部进线）。聊天：坐席同时处理"
        "多个会话，每个会话按处理时长倍数变慢。邮件：每时段的工作量在回复时限内均摊。排班人数 = ⌈净人数 / (1 − 缩减率)⌉；"
        "占用率有上限；营业时间内不少于队列最低人数。详见 docs/staffing.md。",
    },
    "page.roster": {"en": "Roster", "zh": "排班"},
    "ro.start": {"en": "First day", "zh": "起始日"},
    "ro.days": {"en": "Days", "zh": "天数"},
    "ro.time_limit": {"en": "Time limit (s)", "zh": "求解时限（秒）"},
    "ro.build": {"en": "Build roster", "zh": "生成排班"},
    "ro.solving": {"en": "Solving (CP-SAT)…", "zh": "正在求解（CP-SAT）…"},
    "ro.failed": {"en": "No roster", "zh": "未能生成排班"},
    "ro.solved": {
        "en": "{status}: gap to the lower bound {gap:.1%}, {seconds:.0f} s",
        "zh": "{status}：距下界差距 {gap:.1%}，用时 {seconds:.0f} 秒",
    },
    "ro.gantt": {"en": "Shifts by agent", "zh": "坐席班次甘特图"},
    "ro.gantt_day": {"en": "Day", "zh": "日期"},
    "ro.nobody": {"en": "Nobody works that day.", "zh": "当天无人上班。"},
    "ro.gantt_caption": {
        "en": "{working} of {total} rostered agents work this day.",
        "zh": "当天上班 {working} 人（共 {total} 人有排班）。",
    },
    "ro.queue": {"en": "Queue", "zh": "队列"},
    "ro.required": {"en": "required", "zh": "需求"},
    "ro.scheduled": {"en": "scheduled", "zh": "已排"},
    "ro.projected_sl": {"en": "Projected service level per day", "zh": "预计每日服务水平"},
    "ro.edit": {"en": "Change one agent's day", "zh": "调整单个坐席某天的班次"},
    "ro.agent": {"en": "Agent", "zh": "坐席"},
    "ro.day": {"en": "Day", "zh": "日期"},
    "ro.shift": {"en": "Shift (or off)", "zh": "班次（或休息）"},
    "ro.apply": {"en": "Apply change", "zh": "应用调整"},
    "ro.delta": {
        "en": "Under-coverage changes by {hours:+.2f} agent-hours.",
        "zh": "人力缺口变化 {hours:+.2f} 人·小时。",
    },
    "ro.version": {"en": "{name}: stored version {version}", "zh": "{name}：已存版本 {version}"},
    "ro.save": {"en": "Save as draft", "zh": "保存为草稿"},
    "ro.saved": {"en": "Saved version {version}.", "zh": "已保存版本 {version}。"},
    "ro.publish": {"en": "Publish", "zh": "发布"},
    "ro.published": {"en": "Version {version} published.", "zh": "版本 {version} 已发布。"},
    "ro.no_requirements": {
        "en": "No requirements yet: run a forecast and compute requirements first.",
        "zh": "尚无人力需求：请先运行预测并计算需求。",
    },
    "ro.loaded": {
        "en": "The last saved roster, loaded from the database (build a new one above).",
        "zh": "已从数据库载入最近保存的排班（可在上方重新生成）。",
    },
    "ro.status": {"en": "Status", "zh": "状态"},
    "ro.objective": {"en": "Objective", "zh": "目标值"},
    "ro.bound": {"en": "Lower bound", "zh": "下界"},
    "ro.gap": {"en": "Gap", "zh": "差距"},
    "ro.violations": {
        "en": "The checker found {count} hard-rule violations:",
        "zh": "检查器发现 {count} 处硬性规则违规：",
    },
    "ro.checked": {
        "en": "The independent checker found no hard-rule violation.",
        "zh": "独立检查器未发现硬性规则违规。",
    },
    "ro.coverage": {"en": "Required vs scheduled", "zh": "需求与排班对比"},
    "ro.penalties": {"en": "Penalty report", "zh": "惩罚项报告"},
    "page.scenarios": {"en": "Scenarios", "zh": "情景模拟"},
    "sc.create": {"en": "New promotion-peak scenario", "zh": "新建大促情景"},
    "sc.name": {"en": "Name", "zh": "名称"},
    "sc.multiplier": {"en": "Volume × on peak days", "zh": "高峰日话务倍数"},
    "sc.queues": {"en": "Channels / queues", "zh": "渠道 / 队列"},
    "sc.start": {"en": "Peak from", "zh": "高峰开始"},
    "sc.end": {"en": "Peak to", "zh": "高峰结束"},
    "sc.ramp": {"en": "Ramp-up days before", "zh": "预热天数"},
    "sc.returns": {"en": "Returns days after", "zh": "售后退货期天数"},
    "sc.returns_multiplier": {"en": "Returns × volume", "zh": "退货期话务倍数"},
    "sc.deflection": {"en": "Bot deflection (chat, email)", "zh": "机器人分流比例（聊天、邮件）"},
    "sc.temps": {"en": "Temps for the peak (8 h a day)", "zh": "高峰临时工人数（每天 8 小时）"},
    "sc.overtime": {"en": "Overtime agent-hours a day", "zh": "每日加班工时"},
    "sc.save": {"en": "Save scenario", "zh": "保存情景"},
    "sc.saved": {"en": 'Scenario "{name}" saved.', "zh": "情景“{name}”已保存。"},
    "sc.compare": {"en": "Compare with the base plan", "zh": "与基准计划对比"},
    "sc.choose": {"en": "Scenarios", "zh": "情景"},
    "sc.by": {"en": "Per", "zh": "汇总"},
    "sc.by.day": {"en": "day", "zh": "按天"},
    "sc.by.week": {"en": "week", "zh": "按周"},
    "sc.hourly": {"en": "Hourly cost", "zh": "每小时成本"},
    "sc.run": {"en": "Compare", "zh": "对比"},
    "sc.base": {"en": "base plan", "zh": "基准计划"},
    "sc.running": {"en": "Recomputing requirements for each scenario…", "zh": "正在为各情景重新计算人力需求…"},
    "sc.chart_hours": {"en": "Required vs scheduled agent-hours", "zh": "需求工时与排班工时"},
    "sc.chart_sl": {"en": "Projected service level", "zh": "预计服务水平"},
    "sc.chart_cost": {"en": "Cost", "zh": "成本"},
    "page.export": {"en": "Export", "zh": "导出"},
    "ex.roster": {"en": "Roster", "zh": "排班表"},
    "ex.segments": {"en": "Roster segments CSV", "zh": "排班明细 CSV"},
    "ex.grid": {"en": "Agent × day grid CSV", "zh": "坐席 × 日期 排班表 CSV"},
    "ex.off": {"en": "off", "zh": "休"},
    "ex.coverage": {"en": "Coverage per interval CSV", "zh": "各时段覆盖 CSV"},
    "ex.no_roster": {"en": "Build a roster on the Roster page to export it.", "zh": "请先在“排班”页生成排班再导出。"},
    "ex.plan": {"en": "Forecast run {run}", "zh": "预测批次 {run}"},
    "ex.forecast": {"en": "Forecast CSV", "zh": "预测 CSV"},
    "ex.requirements": {"en": "Requirements CSV", "zh": "人力需求 CSV"},
    "page.fidelity": {"en": "Fidelity", "zh": "模型校准"},
    "fi.help": {
        "en": "Upload a per-contact log (queue, arrival_ts, outcome, wait_seconds, handle_seconds, agent_id[, priority]). "
        "Agents present are those serving or idle ≤ 10 min between two of their contacts; each model predicts the "
        "service level at those agents and is compared with what really happened. Parameters are learned only from "
        "the days up to the training date.",
        "zh": "上传逐通记录（queue, arrival_ts, outcome, wait_seconds, handle_seconds, agent_id[, priority]）。在岗坐席 = "
        "正在服务或两通之间空闲不超过 10 分钟的坐席；各模型按在岗人数预测服务水平，并与实际对比。参数只从训练截止日之前的数据学习。",
    },
    "fi.file": {"en": "Contact log CSV (at most {megabytes} MB)", "zh": "逐通记录 CSV（最大 {megabytes} MB）"},
    "fi.train_until": {"en": "Train until (inclusive)", "zh": "训练截止日（含）"},
    "fi.min_offered": {"en": "Minimum contacts per interval", "zh": "每时段最少进线量"},
    "fi.run": {"en": "Compare models", "zh": "对比模型"},
    "fi.running": {"en": "Reconstructing intervals and learning…", "zh": "正在重建时段并学习参数…"},
    "fi.errors": {"en": "Error of the predicted service level (points)", "zh": "服务水平预测误差（百分点）"},
    "fi.best": {
        "en": "Your history supports {model}: test MAE {mae:.1f} points.",
        "zh": "您的历史数据支持 {model}：测试期平均绝对误差 {mae:.1f} 个百分点。",
    },
    "fi.scatter": {
        "en": "Predicted vs real service level per interval ({split})",
        "zh": "各时段预测与实际服务水平（{split}）",
    },
    "fi.bands": {"en": "Mean absolute error by occupancy band (points)", "zh": "按占用率分段的平均绝对误差（百分点）"},
    "fi.parameters": {"en": "What the calibrated model learned", "zh": "校准模型学到的参数"},
    "page.calculator": {"en": "Staffing calculator", "zh": "人力计算器"},
    "calc.model": {"en": "Model", "zh": "模型"},
    "calc.model.erlang_c": {"en": "Erlang C", "zh": "Erlang C"},
    "calc.model.erlang_a": {"en": "Erlang A", "zh": "Erlang A（含放弃）"},
    "calc.model.chat": {"en": "Chat", "zh": "在线聊天"},
    "calc.model.email": {"en": "Email", "zh": "邮件"},
    "calc.response_hours": {"en": "Response time (hours)", "zh": "回复时限（小时）"},
    "calc.email_note": {
        "en": "Email: the interval's {volume:g} items ({work:.1f} agent-hours) are spread over the {window} intervals "
        "of the response window; agents are needed in each of them.",
        "zh": "邮件：本时段 {volume:g} 封（{work:.1f} 人·小时）在回复时限内的 {window} 个时段均摊，每个时段都需要这些坐席。",
    },
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
