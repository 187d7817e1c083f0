"""Simulator mode's GUI: the customer's phone pane and switching between live and practice."""
