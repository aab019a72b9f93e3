"""Innovations: the registry of solutions, where each is taken into use, the spread plan, and
benefits realisation."""
