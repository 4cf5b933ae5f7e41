"""The rules of the bot, in plain Python: no Matrix library, no database, easy to test."""
