"""gpu rules."""
