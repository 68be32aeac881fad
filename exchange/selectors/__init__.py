"""Reads, one module per part of the domain; each answers in a fixed number of queries."""
