"""Cleaning text and Markdown captures: lines, regions, publisher chrome and their reasons."""
