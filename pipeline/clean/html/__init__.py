"""Cleaning HTML captures: blocks from the DOM, page regions, boilerplate and UI rules."""
