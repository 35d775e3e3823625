"""The invite link in README.md asks for exactly the permissions the bot uses."""

from __future__ import annotations

import re

import discord

from bot.settings import PROJECT_ROOT

NEEDED = discord.Permissions(
    add_reactions=True,
    view_channel=True,
    send_messages=True,
    embed_links=True,
    attach_files=True,
    read_message_history=True,
    manage_events=True,
    create_events=True,
    manage_threads=True,
    create_public_threads=True,
    create_private_threads=True,
    send_messages_in_threads=True,
    manage_roles=True,  # groups: their roles
    manage_channels=True,  # groups: their private channels
    pin_messages=True,  # groups: the card in their channel
)


def test_the_invite_link_asks_for_the_permissions_the_bot_uses() -> None:
    readme = (PROJECT_ROOT / "README.md").read_text()
    [link] = re.findall(r"permissions=(\d+)", readme)
    assert int(link) == NEEDED.value
    assert f"Permissions ({NEEDED.value})" in readme
