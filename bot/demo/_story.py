"""The demo's story, played by people through the simulator: an activity is posted, people sign
up, one waits and is promoted, a buddy pair is made, and feedback is given.

Everything is done as a person would do it: slash commands by name, buttons by their label,
menus by their placeholder and forms by their field labels. Nothing here reaches into the bot's
cogs or views, so the story keeps working when they are reorganised.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.demo._transcript import Transcript, display_name
from bot.demo.community import Community, ManualClock, RunningBot, run_setup
from discord_sim import DiscordSimulator, SimInteraction, SimMessage, SimUser

TITLE = "Interview panel for nursing students"
WAIT = 10.0  # seconds the bot gets for each step before the demo gives up


@dataclass
class Cast:
    asha: SimUser
    ben: SimUser
    chidi: SimUser
    dev: SimUser


def cast_of(community: Community) -> Cast:
    return Cast(
        asha=community.new_citizen("asha", "Asha"),
        ben=community.new_citizen("ben", "Ben"),
        chidi=community.new_citizen("chidi", "Chidi"),
        dev=community.new_citizen("dev", "Dev"),
    )


class Story:
    def __init__(
        self,
        sim: DiscordSimulator,
        community: Community,
        cast: Cast,
        running: RunningBot,
        clock: ManualClock,
        zone: ZoneInfo,
        write: Callable[[str], None],
    ) -> None:
        self.sim, self.community, self.cast = sim, community, cast
        self.running, self.clock, self.zone = running, clock, zone
        self.show = Transcript(sim, clock.now, zone, write)
        self.starts_at: datetime | None = None
        self.announcement: SimMessage | None = None

    async def play(self) -> None:
        await self.set_up()
        await self.post_activity()
        await self.two_sign_ups()
        await self.waiting_list()
        await self.withdrawal_promotes()
        await self.buddy_pair()
        await self.day_before()
        await self.feedback()

    # -- the chapters --------------------------------------------------------------

    async def set_up(self) -> None:
        c = self.community
        self.show.chapter("A community server, and the bot joins it")
        people = ", ".join(display_name(u) for u in (c.coordinator, *c.citizens))
        self.show.note(f"In the server: {people}. Cora is a coordinator, Ada runs the server.")
        self.show.action(c.admin, "types /setup with the channels and the Coordinators role")
        await run_setup(c)
        self.show.catch_up()

    async def post_activity(self) -> None:
        c = self.community
        self.show.chapter("Cora posts an activity")
        start = (self.clock.now().astimezone(self.zone) + timedelta(days=3)).replace(
            hour=14, minute=0, second=0, microsecond=0
        )
        self.starts_at = start
        options = {
            "title": TITLE,
            "when": f"{start:%Y-%m-%d %H:%M}",
            "kind": "recruitment",
            "capacity": 2,
            "place": "Room 2.14, Health Sciences building",
        }
        typed = " ".join(f"{k}:{v}" for k, v in options.items())
        self.show.action(c.coordinator, f"types /activity create {typed}")
        await answered(await self.sim.slash(c.guild, c.coordinator, "activity create", options))
        self.announcement = await self.until(
            lambda: self.sim.find_message(c.announcements, contains=TITLE), "the announcement"
        )
        self.show.catch_up()

    async def two_sign_ups(self) -> None:
        self.show.chapter("Asha and Ben sign up")
        await self.press(self.cast.asha, self.posted, "Sign up", "on the announcement")
        await self.agree_if_asked(self.cast.asha)
        await self.places_say("1 of 2 places left")
        self.show.action(self.cast.ben, f"types /signup activity:{TITLE}")
        await answered(
            await self.sim.slash(self.community.guild, self.cast.ben, "signup", {"activity": TITLE})
        )
        self.show.catch_up()
        await self.agree_if_asked(self.cast.ben)
        await self.places_say("Full - 0 waiting")

    async def waiting_list(self) -> None:
        self.show.chapter("The activity is full, so Chidi joins the waiting list")
        await self.press(self.cast.chidi, self.posted, "Sign up", "on the announcement")
        await self.agree_if_asked(self.cast.chidi)
        await self.places_say("Full - 1 waiting")

    async def withdrawal_promotes(self) -> None:
        self.show.chapter("Ben can no longer come, so Chidi gets his place")
        await self.press(self.cast.ben, self.posted, "Withdraw", "on the announcement")
        await self.reaches(self.cast.chidi, "place has come up")
        await self.places_say("Full - 0 waiting")

    async def buddy_pair(self) -> None:
        c, cast = self.community, self.cast
        self.show.chapter("Dev offers to be a buddy, Asha would like one, Cora pairs them")
        await self.join_buddies(cast.dev, "buddy", capacity=1)
        await self.join_buddies(cast.asha, "newcomer")
        self.show.action(c.coordinator, "types /buddy pair")
        await answered(await self.sim.slash(c.guild, c.coordinator, "buddy pair", {}))
        await self.until(self.pair_introduced, "the buddy introduction")
        self.show.catch_up()

    async def day_before(self) -> None:
        assert self.starts_at is not None
        self.show.chapter("The clock moves on to the day before the panel")
        await self.move_clock_to(self.starts_at - timedelta(hours=23))
        for person in (self.cast.asha, self.cast.chidi):
            await self.reaches(person, "Reminder:")
        self.show.catch_up()

    async def feedback(self) -> None:
        assert self.starts_at is not None
        cast = self.cast
        self.show.chapter("The clock moves on to after the panel, and people give feedback")
        await self.move_clock_to(self.starts_at + timedelta(hours=1, minutes=31))
        request = await self.reaches(cast.asha, "How did it go?")
        chidi_request = await self.reaches(cast.chidi, "How did it go?")
        self.show.catch_up()
        form = await self.press(cast.asha, request, "Tell us more", "on the message")
        if form.modal is not None:
            self.show.form(cast.asha, form.modal)
        answers = {
            "How did it go?": "5 - very good",
            "What worked?": "The students asked kind, thoughtful questions.",
            "What could we change?": "Send the papers a few days earlier, please.",
        }
        said = "; ".join(f"{k} {v}" for k, v in answers.items())
        self.show.action(cast.asha, f"fills in the form ({said}) and presses Submit")
        await self.sim.fill_modal(form, answers)
        self.show.catch_up()
        await self.press(cast.chidi, chidi_request, "Good", "on the message")

    # -- how people act --------------------------------------------------------------

    @property
    def posted(self) -> SimMessage:
        assert self.announcement is not None
        return self.announcement

    async def press(
        self, who: SimUser, message: SimMessage, label: str, where: str
    ) -> SimInteraction:
        self.show.action(who, f"presses [{label}]{' ' if where else ''}{where}")
        ix = await answered(await self.sim.click(who, message, message.custom_id(label)))
        self.show.catch_up()
        return ix

    async def agree_if_asked(self, who: SimUser) -> None:
        """Press [I agree] on the consent card, when the bot showed one to `who`."""
        card = self.newest_private_to(who)
        if card is not None and has_button(card, "I agree"):
            await self.press(who, card, "I agree", "on the card")

    async def join_buddies(self, who: SimUser, role: str, **options: Any) -> None:
        extra = "".join(f" {k}:{v}" for k, v in options.items())
        self.show.action(who, f"types /buddy join role:{role}{extra}")
        await answered(
            await self.sim.slash(self.community.guild, who, "buddy join", {"role": role, **options})
        )
        self.show.catch_up()
        await self.agree_if_asked(who)
        prompt = self.newest_private_to(who)
        assert prompt is not None, f"{display_name(who)} was not asked anything"
        if has_button(prompt, "Save and join"):
            for menu, picked in (
                ("What interests you?", ["Research", "Policy"]),
                ("When are you usually free?", ["Weekday evenings"]),
            ):
                self.show.action(who, f"picks {', '.join(picked)} in [{menu}]")
                await self.sim.choose(who, prompt, menu, picked)
            await self.press(who, prompt, "Save and join", "")

    async def move_clock_to(self, when: datetime) -> None:
        self.show.note(
            f"(The clock moves forward to {self.show.readable(f'<t:{int(when.timestamp())}:F>')}.)"
        )
        self.clock.current = when
        await self.running.run_scheduled_jobs()

    # -- waiting and finding -----------------------------------------------------------

    async def until(self, found: Callable[[], Any], what: str) -> Any:
        return await self.sim.wait_for(lambda: found() or None, timeout=WAIT, what=what)

    async def reaches(self, who: SimUser, words: str) -> SimMessage:
        """Wait for a message with `words` to reach `who` (by DM or in their own thread)."""
        found: SimMessage = await self.until(
            lambda: self.message_for(who, words), f"{words!r} to reach {display_name(who)}"
        )
        return found

    async def places_say(self, line: str) -> None:
        await self.until(lambda: line in self.posted.text, f"the announcement to say {line!r}")
        self.show.catch_up()

    def pair_introduced(self) -> bool:
        buddies = self.community.buddies.id
        return any(
            t.parent_id == buddies and t.messages for t in self.community.guild.threads.values()
        )

    def newest_private_to(self, who: SimUser) -> SimMessage | None:
        mine = [
            m
            for m in self.sim.state.messages.values()
            if m.ephemeral
            and (m.interaction_metadata or {}).get("user", {}).get("id") == str(who.id)
        ]
        return max(mine, key=lambda m: m.changed_at, default=None)

    def message_for(self, who: SimUser, words: str) -> SimMessage | None:
        """The newest message with `words` that reached `who`: by DM or in their own thread."""
        for msg in reversed(self.sim.dm_messages(who)):
            if words in msg.text:
                return msg
        found = self.sim.find_message(contains=words)
        return found if found is not None and who.mention in found.text else None


def has_button(message: SimMessage, label: str) -> bool:
    return any(c.get("type") == 2 and c.get("label") == label for c in message.all_components())


async def answered(ix: SimInteraction) -> SimInteraction:
    """Wait for the answer when the bot first said it was thinking (a deferred reply)."""
    if ix.deferred and not ix.followups:
        await ix.wait_followup(timeout=WAIT)
    return ix
