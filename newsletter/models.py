"""Subscribers, issues and sending arrive with the subscriptions and daily-issue work."""
