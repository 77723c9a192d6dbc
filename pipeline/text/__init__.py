"""Shared text primitives below every stage: words as the stages compare them, token arrays."""
