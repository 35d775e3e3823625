"""What membership posts: the welcome for someone who joins the server."""

from __future__ import annotations

import discord


def welcome_text(member: discord.Member) -> str:
    return (
        f"Welcome, {member.mention}! This is a community of patients, carers and members of "
        "the public who help shape health education and research. When you are ready, press "
        "**Get started** to join. You can read `/privacy` first to see what we keep."
    )
