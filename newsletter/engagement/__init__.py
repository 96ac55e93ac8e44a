"""Engagement analytics: tracked links and their signed tokens, click recording, the bot
rules, retention, and the reports editors read (docs/analytics.md)."""
