"""Pieces every part of the app shares: time in Warsaw, record ids. Imports nothing from the app."""
