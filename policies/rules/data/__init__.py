"""data rules."""
