"""Placeholder until the TICKscript front-end lands."""
