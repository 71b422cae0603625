"""Documented plausible ranges of every input: values outside are rejected, so no input can make work unbounded.

Each limit is generous for a real contact centre (the largest single queues seen have a few thousand agents busy at
once) and small enough that the computation it allows stays within seconds and a few GiB. docs/reliability.md lists
them with the figures measured by bench/limits.py.
"""

from __future__ import annotations

# Files: bytes of text after decompression, and bytes on disk (a compressed upload is refused while inflating).
MAX_TEXT_BYTES = 256 * 1024 * 1024
MAX_FILE_BYTES = 256 * 1024 * 1024
# Data rows in one CSV file (a 3-year, 6-queue, 5-minute history has 1.9 million).
MAX_ROWS = 6_000_000
# The browser upload limit (Streamlit's server.maxUploadSize, in megabytes).
MAX_UPLOAD_MEGABYTES = 256

# Contacts offered in one queue and interval, and the handle time of one contact.
MAX_CONTACTS_PER_INTERVAL = 1_000_000
MAX_AHT_SECONDS = 24 * 3600.0
# Offered load of one queue in one interval (contacts × AHT / interval length), in Erlangs: 20,000 agents busy at once.
MAX_TRAFFIC_ERLANGS = 20_000.0
# Agents required in one queue and interval: a staffing search stops here with a clear error.
MAX_AGENTS_PER_INTERVAL = 50_000

# Queue settings.
MAX_ANSWER_SECONDS = 7 * 24 * 3600.0
MAX_PATIENCE_SECONDS = 7 * 24 * 3600.0
MAX_RESPONSE_HOURS = 31 * 24.0
MAX_CONCURRENCY = 20
MAX_MIN_AGENTS = MAX_AGENTS_PER_INTERVAL

# Interval lengths in minutes: a whole number that divides the day.
MIN_INTERVAL_MINUTES = 1
MAX_INTERVAL_MINUTES = 1440

# Scenario and forecast multipliers (a promotion peak is ×3 to ×10; ×100 is the ceiling).
MAX_VOLUME_MULTIPLIER = 100.0
MIN_AHT_MULTIPLIER = 0.05
MAX_AHT_MULTIPLIER = 20.0

# Rosters.
MAX_ROSTER_DAYS = 42
MAX_AGENTS = 5_000
MAX_SHIFT_TEMPLATES = 500
MAX_TIME_LIMIT_SECONDS = 24 * 3600.0
# Longest event (a promotion season or a closure), and its ramp-up or after-effect, in days.
MAX_EVENT_DAYS = 366
# Any number in rules.toml (a rule's value or a penalty weight): finite and at most this.
MAX_SETTING_VALUE = 1_000_000
# Forecast horizon in days.
MAX_FORECAST_DAYS = 366


# Queue settings of the calibrated model (availability of agents to a class, handle-time spread, within-interval swing).
MAX_AVAILABILITY = 10.0
MAX_AHT_CV = 10.0
MAX_SWING = 0.9
# Chat: AHT multiplier per number of conversations held (aht_factors), within the AHT multiplier range.
MIN_CHAT_AHT_FACTOR = MIN_AHT_MULTIPLIER
MAX_CHAT_AHT_FACTOR = MAX_AHT_MULTIPLIER

# Scenarios (scenarios.toml): how many, and the size of each part.
MAX_SCENARIOS = 100
MAX_PEAKS_PER_SCENARIO = 100
MAX_EXTRA_STAFF_PER_SCENARIO = 100
# Days of a peak (end − start), of its ramp before and of its returns after; days an extra-staff block spans.
MAX_SCENARIO_DAYS = 366
MAX_RAMP_WEEKS = 52
# Extra staff: agents in one block, paid hours per agent per day, overtime agent-hours per day.
MAX_EXTRA_AGENTS = MAX_AGENTS
MAX_HOURS_PER_DAY = 24.0
MAX_OVERTIME_HOURS_PER_DAY = MAX_AGENTS * 24.0
# Costs: an hourly rate (any currency) and the overtime premium (0.5 = time and a half).
MAX_HOURLY_COST = 100_000.0
MAX_OVERTIME_PREMIUM = 10.0
