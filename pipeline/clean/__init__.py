"""Clean: the documents table -> cleaned text, and every removed block with its reason."""

from pipeline.clean.stage import assemble_cleaned, clean_documents, clean_row
from pipeline.clean.text.cleaner import find_template_lines

__all__ = ["assemble_cleaned", "clean_documents", "clean_row", "find_template_lines"]
