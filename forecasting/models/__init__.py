"""Forecasting models with one interface; `make_model(alias)` builds one, `ALIASES` lists them."""

from __future__ import annotations

from collections.abc import Callable

from forecasting.events import EventCalendar
from forecasting.models.base import DS, ID, Y_HAT, Y_HI, Y_LO, Forecaster, Y
from forecasting.models.baselines import SameSlotMean, SeasonalNaive
from forecasting.models.boosting import LightGBMModel
from forecasting.models.calendar import CalendarRegression
from forecasting.models.ensemble import Ensemble
from forecasting.models.statistical import AutoETSModel, MSTLModel
from forecasting.models.with_events import WithEvents

FACTORIES: dict[str, Callable[[], Forecaster]] = {
    SeasonalNaive.alias: SeasonalNaive,
    SameSlotMean.alias: SameSlotMean,
    MSTLModel.alias: MSTLModel,
    AutoETSModel.alias: AutoETSModel,
    CalendarRegression.alias: CalendarRegression,
    LightGBMModel.alias: LightGBMModel,
    Ensemble.alias: Ensemble,
}
ALIASES: tuple[str, ...] = tuple(FACTORIES)
# What `--model auto` backtests: every model but MSTL (≈ 2.5 s per fit on a year of 30-minute data, 5 fits per
# choice: it alone would break the 5-second budget; it can still be named).
AUTO_ALIASES: tuple[str, ...] = tuple(a for a in ALIASES if a != MSTLModel.alias)
BASELINES: tuple[str, ...] = (SeasonalNaive.alias, SameSlotMean.alias)


def make_model(alias: str, calendar: EventCalendar | None = None) -> Forecaster:
    """A fresh model by alias, wrapped with the event calendar when one is given."""
    if alias not in FACTORIES:
        raise ValueError(f"unknown model {alias!r}; expected one of {', '.join(ALIASES)}")
    model = FACTORIES[alias]()
    return WithEvents(model, calendar) if calendar is not None and calendar.events else model


__all__ = [
    "ALIASES",
    "AUTO_ALIASES",
    "BASELINES",
    "DS",
    "ID",
    "Y_HAT",
    "Y_HI",
    "Y_LO",
    "AutoETSModel",
    "CalendarRegression",
    "Ensemble",
    "Forecaster",
    "LightGBMModel",
    "MSTLModel",
    "SameSlotMean",
    "SeasonalNaive",
    "WithEvents",
    "Y",
    "make_model",
]
