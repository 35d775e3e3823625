"""The one way to answer an interaction: respond, follow up or edit, whichever applies."""

from __future__ import annotations

from typing import Any

import discord


async def reply(
    interaction: discord.Interaction[Any],
    content: str | None = None,
    *,
    embed: discord.Embed | None = None,
    view: discord.ui.View | None = None,
    file: discord.File | None = None,
    ephemeral: bool = True,
    replace: bool = False,
) -> None:
    """Answer privately (unless `ephemeral=False`): a response if the interaction has not been
    answered yet, a follow-up if it has (after a deferral). With `replace`, the answer takes
    the place of the message the button was on (embeds and buttons not given are removed)."""
    if replace:
        edit: dict[str, Any] = {
            "content": content,
            "embeds": [embed] if embed else [],
            "view": view,
        }
        if interaction.response.is_done():
            await interaction.edit_original_response(**edit)
        else:
            await interaction.response.edit_message(**edit)
        return
    send: dict[str, Any] = {"ephemeral": ephemeral}
    if embed is not None:
        send["embed"] = embed
    if view is not None:
        send["view"] = view
    if file is not None:
        send["file"] = file
    if content is not None:
        send["content"] = content
    if interaction.response.is_done():
        await interaction.followup.send(**send)
    else:
        await interaction.response.send_message(**send)
