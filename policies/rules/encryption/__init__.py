"""encryption rules."""
