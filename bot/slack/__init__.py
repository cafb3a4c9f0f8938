"""The Slack front end: Bolt wiring (app.py), all Block Kit (blocks.py), Web API calls (calls.py)."""
