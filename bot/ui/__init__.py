"""What several cogs share on the Discord side: the activity option, the announcement, the
consent card, the guarded bases, custom-id prefixes and the reply helper."""
