"""Races over HTTP: people acting at the same moment against the app served by gunicorn."""
