"""Thin views, one module per part of the domain."""
