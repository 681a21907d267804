"""Incident response checks (pillar "incident")."""
