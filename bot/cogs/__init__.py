"""One package per capability, each loaded as an extension by `bot.client`."""
