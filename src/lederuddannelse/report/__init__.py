"""Presentation: every Danish wording of a number, charts, tables and the chart theme."""
