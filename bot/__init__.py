"""Nudgebot: asks who the customer is, tracks approvals, logs decisions."""

__version__ = "0.1.0"
