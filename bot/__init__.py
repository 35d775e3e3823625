"""The health citizens Discord bot: the Discord side (cogs, ui, delivery) over discord-free
services (`bot.services`) and the database (`db`). See CONTRIBUTING.md for the layout."""
