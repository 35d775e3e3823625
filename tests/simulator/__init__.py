"""A local fake of Discord's REST API and gateway that the real discord.py client connects to.

Typical use::

    sim = DiscordSimulator()
    await sim.start()
    guild = sim.create_guild("Health Citizens")
    ...start a discord.py client with token sim.token...
    await sim.wait_until_ready()
    ix = await sim.slash(guild, alice, "activity create", {"title": "Walk"})
"""

from .gateway import Gateway
from .guild import SimGuild
from .interactions import SimInteraction
from .models import SimAttachment, SimChannel, SimMember, SimMessage, SimRole, SimUser
from .permissions import BOT_ROLE, DEFAULT_EVERYONE
from .simulator import DiscordSimulator
from .state import ApiError, RecordedRequest

__all__ = [
    "BOT_ROLE",
    "DEFAULT_EVERYONE",
    "ApiError",
    "DiscordSimulator",
    "Gateway",
    "RecordedRequest",
    "SimAttachment",
    "SimChannel",
    "SimGuild",
    "SimInteraction",
    "SimMember",
    "SimMessage",
    "SimRole",
    "SimUser",
]
