"""Staffing engine: Erlang B/C/A, chat concurrency, email backlog, and requirements from a forecast."""

from wfm.staffing.chat import chat_metrics, required_agents_chat
from wfm.staffing.email import required_agents_email
from wfm.staffing.erlang import QueueMetrics, erlang_a_metrics, erlang_b, erlang_c_metrics
from wfm.staffing.patience import patience_from_contacts, patience_from_totals
from wfm.staffing.queues import QueueSettings, read_queues
from wfm.staffing.required import Staffing, required_agents_erlang_a, required_agents_erlang_c
from wfm.staffing.requirements import build_requirements, metrics_at_agents, projected_service, read_forecast
from wfm.staffing.targets import ServiceTargets, exact_ceil, scheduled_from_net

__all__ = [
    "QueueMetrics",
    "QueueSettings",
    "ServiceTargets",
    "Staffing",
    "build_requirements",
    "chat_metrics",
    "erlang_a_metrics",
    "erlang_b",
    "erlang_c_metrics",
    "exact_ceil",
    "metrics_at_agents",
    "patience_from_contacts",
    "patience_from_totals",
    "projected_service",
    "read_forecast",
    "read_queues",
    "required_agents_chat",
    "required_agents_email",
    "required_agents_erlang_a",
    "required_agents_erlang_c",
    "scheduled_from_net",
]
