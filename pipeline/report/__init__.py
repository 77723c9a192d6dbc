"""Editors' review reports (processed/reports/) and build-to-build diffs.

Reports render from the written tables only, so any processed/ folder, old or new, can
be reported on: ``render_reports(load_processed(folder), previous)``.
"""

from pipeline.report.changes_view import BuildPair, BuildStamp, build_stamp, manifest_stamp
from pipeline.report.diff import BuildDiff, diff_builds
from pipeline.report.diff_text import format_diff_text
from pipeline.report.load import load_processed
from pipeline.report.render import PageCache, render_reports
from pipeline.report.tables import complete_tables

__all__ = [
    "BuildDiff",
    "BuildPair",
    "BuildStamp",
    "PageCache",
    "build_stamp",
    "complete_tables",
    "diff_builds",
    "format_diff_text",
    "load_processed",
    "manifest_stamp",
    "render_reports",
]
