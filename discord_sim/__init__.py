"""discord_sim: a local fake of Discord for testing discord.py bots.

It serves Discord's REST API and gateway on 127.0.0.1, and the real, unpatched
discord.py client connects to it as it would to Discord. Tests build the world
(guilds, roles, channels, members), then act as people do (slash commands,
clicks, selects, modals, messages, reactions, joining and leaving) and read
what each person would see. Discord's rules are kept where a bot can break
them: permissions and overwrites, intents, payload limits (400 / 50035),
interaction deadlines, unknown objects (404 with Discord's codes), the global
rate limit, shards, and who a message pings. See docs/simulator.md.

Typical use::

    sim = DiscordSimulator()
    await sim.start()                      # also points discord.py's Route.BASE / DEFAULT_GATEWAY here
    guild = sim.create_guild("Health Citizens")
    alice = sim.create_user("alice")
    guild.add_member(alice)
    ...start a discord.py client with sim.token and guild_ready_timeout=0.05...
    await sim.wait_until_ready()
    ix = await sim.slash(guild, alice, "activity create", {"title": "Walk", "capacity": 10})
    assert ix.ephemeral and "Walk" in ix.text
    assert not sim.rejected_payloads and not sim.unknown_routes

Setup calls are synchronous and may be made before or after the bot connects
(changes after connect reach it as gateway events). Drivers (slash, click,
select, submit_modal, autocomplete) return once the bot answered, or raise a
readable AssertionError. Everything the bot asked for is in ``sim.requests``;
routes the simulator does not know answer 404 and land in ``sim.unknown_routes``;
bodies Discord would refuse land in ``sim.rejected_payloads``.
discord.py's URLs are process-wide, so the most recently started simulator gets
every client's new connections and requests: run one at a time.
"""

from .gateway import Gateway
from .guild import SimGuild
from .interactions import SimInteraction
from .models import SimAttachment, SimChannel, SimMember, SimMessage, SimRole, SimUser
from .permissions import BOT_ROLE, DEFAULT_EVERYONE
from .simulator import DiscordSimulator
from .state import ApiError, RecordedRequest, RejectedPayload

__all__ = [
    "BOT_ROLE",
    "DEFAULT_EVERYONE",
    "ApiError",
    "DiscordSimulator",
    "Gateway",
    "RecordedRequest",
    "RejectedPayload",
    "SimAttachment",
    "SimChannel",
    "SimGuild",
    "SimInteraction",
    "SimMember",
    "SimMessage",
    "SimRole",
    "SimUser",
]
