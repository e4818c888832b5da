"""logging rules."""
