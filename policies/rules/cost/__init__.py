"""Cost rules: budgets and idle GPU capacity, priced with components.catalog.pricing."""
