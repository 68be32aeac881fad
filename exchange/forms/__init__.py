"""Forms validate input; services decide and write."""
