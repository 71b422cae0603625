"""Roster engine: domain types, a CP-SAT model built from one function per rule, search, an independent checker."""
