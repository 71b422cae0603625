"""Forecasting models with one interface; `make_model(alias)` builds one, `ALIASES` lists them."""

from __future__ import annotations

from collections.abc import Callable

from forecasting.events import EventCalendar
from forecasting.models.base import DS, ID, Y_HAT, Y_HI, Y_LO, Forecaster, Y
from forecasting.models.baselines import SameSlotMean, SeasonalNaive
from forecasting.models.calendar import CalendarRegression
from forecasting.models.statistical import AutoETSModel, MSTLModel
from forecasting.models.with_events import WithEvents

FACTORIES: dict[str, Callable[[], Forecaster]] = {
    SeasonalNaive.alias: SeasonalNaive,
    SameSlotMean.alias: SameSlotMean,
    MSTLModel.alias: MSTLModel,
    AutoETSModel.alias: AutoETSModel,
    CalendarRegression.alias: CalendarRegression,
}
ALIASES: tuple[str, ...] = tuple(FACTORIES)
BASELINES: tuple[str, ...] = (SeasonalNaive.alias, SameSlotMean.alias)


def make_model(alias: str, calendar: EventCalendar | None = None) -> Forecaster:
    """A fresh model by alias, wrapped with the event calendar when one is given."""
    if alias not in FACTORIES:
        raise ValueError(f"unknown model {alias!r}; expected one of {', '.join(ALIASES)}")
    model = FACTORIES[alias]()
    return WithEvents(model, calendar) if calendar is not None and calendar.events else model


__all__ = [
    "ALIASES",
    "BASELINES",
    "DS",
    "ID",
    "Y_HAT",
    "Y_HI",
    "Y_LO",
    "AutoETSModel",
    "CalendarRegression",
    "Forecaster",
    "MSTLModel",
    "SameSlotMean",
    "SeasonalNaive",
    "WithEvents",
    "Y",
    "make_model",
]
