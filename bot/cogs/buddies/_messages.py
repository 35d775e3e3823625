"""What the buddy programme's outbox rows say, and where they go.

The introduction is an outbox row too, so a pair made just before a crash is still
introduced: its renderer opens the private thread itself (remembering it, so a retry posts
into the same thread) and, if no thread can be made, queues the introduction to each person
instead, which delivery sends by DM or in their own private thread.

Proposals and "I'd like help" alerts name or point to people, so they never go in the open
buddies channel: they go to one private thread in it, "Buddy programme: for coordinators",
that only coordinators are in.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord

from bot.cogs.buddies._views import checkin_view, proposal_view
from bot.delivery import Outgoing
from bot.services import buddies, outbox
from bot.services.outbox import OutboxItem, OutboxKind
from bot.ui.coordinators import coordinators_thread
from bot.ui.text import shown, shown_line

if TYPE_CHECKING:
    from bot.client import HealthBot

log = logging.getLogger(__name__)

STARTERS = (
    "What got you interested in taking part?",
    "Is there an activity coming up that one of you is thinking about?",
    "When and how do you like to chat: a message here, a call, or a cup of tea?",
)


class BuddyMessages:
    def __init__(self, bot: HealthBot) -> None:
        self.bot = bot

    def register(self) -> None:
        register = self.bot.outbox.register
        register(OutboxKind.BUDDY_INTRO, self.introduce, held_back=False)
        register(OutboxKind.BUDDY_INTRO_PERSON, self.introduce_person, held_back=False)
        register(OutboxKind.BUDDY_PROPOSAL, self.proposal, held_back=False)
        register(OutboxKind.BUDDY_HELP, self.help_alert, held_back=False)
        register(OutboxKind.BUDDY_CHECKIN, self.checkin)
        register(OutboxKind.BUDDY_THANKS, self.thanks)
        register(OutboxKind.BUDDY_ENDED, self.ended)
        register(OutboxKind.BUDDY_WAITING, self.waiting)

    async def _pair(self, item: OutboxItem) -> buddies.Pair | None:
        async with self.bot.db.sessions() as session:
            return await buddies.find_pair(session, item.payload_as(buddies.PairPayload).pair_id)

    async def introduce(self, item: OutboxItem) -> Outgoing | None:
        pair = await self._pair(item)
        if pair is None or pair.status != "active":
            return None
        try:
            thread = await self._pair_thread(item.guild_id, pair)
            # The thread is the two of theirs: they (and nobody else) may be pinged.
            people = [
                discord.Object(id=pair.buddy_user_id),
                discord.Object(id=pair.newcomer_user_id),
            ]
            await thread.send(
                intro_text(pair),
                allowed_mentions=discord.AllowedMentions(
                    everyone=False, roles=False, users=people, replied_user=False
                ),
            )
        except (discord.HTTPException, LookupError) as error:
            log.warning("No buddy thread for pair %s (%r); introducing each person", pair.id, error)
            async with self.bot.db.sessions() as session, session.begin():
                for person in (pair.buddy_user_id, pair.newcomer_user_id):
                    await outbox.enqueue(
                        session,
                        guild_id=item.guild_id,
                        kind=OutboxKind.BUDDY_INTRO_PERSON,
                        user_id=person,
                        due_at=self.bot.clock.now(),
                        dedupe_key=f"buddy:{pair.id}:intro:{'buddy' if person == pair.buddy_user_id else 'newcomer'}",
                        payload=buddies.PairPayload(pair.id),
                    )
            self.bot.outbox.wake()
        return None

    async def _pair_thread(self, guild_id: int, pair: buddies.Pair) -> discord.Thread:
        if pair.thread_id is not None:
            existing = self.bot.get_channel(pair.thread_id)
            if isinstance(existing, discord.Thread):
                return existing
        setup = await self.bot.community(guild_id)
        parent = self.bot.get_channel(setup.buddies_channel_id or 0)
        if not isinstance(parent, discord.TextChannel):
            raise LookupError("no buddies channel is set up")
        thread = await parent.create_thread(
            name=f"Buddies #{pair.id}", type=discord.ChannelType.private_thread, invitable=False
        )
        async with self.bot.db.sessions() as session, session.begin():
            await buddies.remember_thread(session, pair.id, thread.id)
        for person in (pair.buddy_user_id, pair.newcomer_user_id):
            await thread.add_user(discord.Object(id=person))
        return thread

    async def introduce_person(self, item: OutboxItem) -> Outgoing | None:
        pair = await self._pair(item)
        if pair is None or pair.status != "active" or item.user_id is None:
            return None
        other = pair.other(item.user_id)
        role = "buddy" if other == pair.buddy_user_id else "newcomer"
        # This may land in the person's own private thread: the other person is named, never
        # mentioned (a mention there would ping them and could add them to it).
        return Outgoing(
            content=(
                f"Meet your {role}, **{self.name_of(item.guild_id, other)}**. "
                f"{shown(pair.reason, 600)}\n"
                "Send them a message to say hello: `/buddy status` shows who they are. "
                f"Some ideas to start:\n{_starters()}"
            ),
            allowed_mentions=discord.AllowedMentions.none(),
        )

    def name_of(self, guild_id: int, user_id: int) -> str:
        """A person's name as text (never a mention), safe to show."""
        guild = self.bot.get_guild(guild_id)
        member = guild.get_member(user_id) if guild is not None else None
        if member is None:
            return "your match"
        return shown_line(member.display_name, 100)

    async def proposal(self, item: OutboxItem) -> Outgoing | None:
        pair = await self._pair(item)
        if pair is None or pair.status != "proposed":
            return None
        thread = await self.coordinators_thread(item.guild_id)
        # The two people are named in the embed only: a mention in a private thread's text
        # could add them to it.
        embed = discord.Embed(
            title=f"Buddy proposal #{pair.id}",
            description=(
                f"Buddy: <@{pair.buddy_user_id}>\nNewcomer: <@{pair.newcomer_user_id}>\n"
                f"Why: {shown(pair.reason, 1000)}"
            ),
        )
        return Outgoing(
            content="A new buddy pair is waiting for a coordinator to approve or skip it.",
            embeds=[embed],
            view=proposal_view(pair.id),
            channel_id=thread.id,
        )

    async def help_alert(self, item: OutboxItem) -> Outgoing | None:
        thread = await self.coordinators_thread(item.guild_id)
        setup = await self.bot.community(item.guild_id)
        role = f"<@&{setup.coordinator_role_id}> " if setup.coordinator_role_id else ""
        return Outgoing(
            content=(
                f"{role}Someone in buddy pair #{item.payload_as(buddies.PairPayload).pair_id} would like some help. "
                "`/buddy list` shows who is in the pair. Please get in touch with them."
            ),
            channel_id=thread.id,
            allowed_mentions=discord.AllowedMentions(roles=True),
        )

    async def coordinators_thread(self, guild_id: int) -> discord.Thread:
        """The coordinators' private thread (`bot.ui.coordinators`)."""
        return await coordinators_thread(self.bot, guild_id)

    async def checkin(self, item: OutboxItem) -> Outgoing | None:
        pair = await self._pair(item)
        if pair is None or pair.status != "active" or item.user_id is None:
            return None
        return Outgoing(
            content=(
                f"Have you talked with **{self.name_of(item.guild_id, pair.other(item.user_id))}** "
                "yet? Whatever the answer, that is fine. Press a button to let us know."
            ),
            view=checkin_view(pair.id),
            allowed_mentions=discord.AllowedMentions.none(),
        )

    async def thanks(self, item: OutboxItem) -> Outgoing | None:
        async with self.bot.db.sessions() as session, session.begin():
            finished = await buddies.finish_if_due(
                session, item.payload_as(buddies.PairPayload).pair_id, self.bot.clock.now()
            )
        if not finished:
            return None
        return Outgoing(
            content=(
                "Your buddy pairing has come to an end. Thank you for the time and care you "
                "gave. You are welcome to stay in touch. If you would like to help someone new, "
                "use `/buddy join` with the role buddy."
            )
        )

    async def ended(self, item: OutboxItem) -> Outgoing | None:
        next_step = (
            "You are back on the list, and we will find you a new buddy soon."
            if item.payload_as(buddies.EndedPayload).back_on_list
            else "Your place is free again for someone new."
        )
        return Outgoing(
            content=f"Your buddy pairing has ended. This happens sometimes and is nobody's fault. {next_step}"
        )

    async def waiting(self, item: OutboxItem) -> Outgoing | None:
        return Outgoing(
            content=(
                "You are on the list for a buddy. We pair people every week, and we will "
                "introduce you as soon as a buddy is free. `/buddy status` shows where you are."
            )
        )


def intro_text(pair: buddies.Pair) -> str:
    return (
        f"Hello <@{pair.buddy_user_id}> and <@{pair.newcomer_user_id}>! "
        f"<@{pair.buddy_user_id}> is your buddy, <@{pair.newcomer_user_id}>.\n"
        f"**Why you were paired:** {shown(pair.reason, 600)}\n"
        f"This thread is just for the two of you (and the coordinators). Some ideas to start:\n"
        f"{_starters()}\n"
        "We will check in with you both soon to see how it is going."
    )


def _starters() -> str:
    return "\n".join(f"- {starter}" for starter in STARTERS[:2])
