"""keys rules."""
