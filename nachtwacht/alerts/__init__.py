"""Alerts: rules -> events -> workflow -> delivery. See `engine.AlertEngine` for the flow."""
