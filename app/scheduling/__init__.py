"""The scheduler process, its jobs and the reminders it sends; imports no routes."""
