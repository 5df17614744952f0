"""Helpers for notebooks run by the Notebook Automation Server (present in every runtime)."""
