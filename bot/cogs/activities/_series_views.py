"""A repeating activity's one announcement: the next few dates, the places left for the next
one, and its buttons (Sign up for the next date, Sign up for all, Withdraw, Add to calendar)."""

from __future__ import annotations

import io
import re
from typing import TYPE_CHECKING, Any

import discord
from discord.utils import format_dt

from bot.errors import ConsentNeeded, InvalidInput
from bot.services import calendar, series, signups
from bot.services.activities import ActivityView
from bot.services.series import DateSignup, SeriesState
from bot.services.vocabulary import kind_words
from bot.ui.announcement import duration_words, keeper, places_line, when_words
from bot.ui.base import GuardedButton
from bot.ui.consent import AfterConsent, show_consent_card
from bot.ui.custom_ids import CustomId
from bot.ui.limits import fit

if TYPE_CHECKING:
    from bot.client import HealthBot

EVERY = {"weekly": "Every week", "fortnightly": "Every two weeks", "monthly": "Every month"}
ID = r"(?P<id>[0-9]+)"


def day_words(state: SeriesState) -> str:
    return f"{state.series.until:%A %d %B %Y}".replace(" 0", " ")


def series_embed(state: SeriesState) -> discord.Embed:
    found, first, nxt = state.series, state.first, state.next
    shown = nxt or first
    embed = discord.Embed(title=found.title, description=shown.description)
    embed.add_field(name="Kind", value=kind_words(shown.kind))
    embed.add_field(
        name="Repeats", value=f"{EVERY[found.repeat]}, until {day_words(state)}", inline=False
    )
    dates = "\n".join(f"{format_dt(d, 'F')}" for d in found.next_dates)
    embed.add_field(name="Next dates", value=dates or "No more dates.", inline=False)
    embed.add_field(name="How long", value=duration_words(shown.duration_minutes))
    embed.add_field(name="Where", value=shown.place or "Online")
    if shown.lead_user_id is not None:
        embed.add_field(name="Lead", value=f"<@{shown.lead_user_id}>")
    if nxt is not None:
        embed.add_field(
            name="Places for the next one",
            value=f"{places_line(nxt)} on {format_dt(nxt.starts_at, 'F')} (Activity #{nxt.id})",
            inline=False,
        )
    else:
        embed.add_field(name="Places", value="There are no more dates to sign up for.")
    embed.set_footer(text=f"Repeating activity #{found.id}")
    return embed


def series_buttons(state: SeriesState) -> discord.ui.View | None:
    if state.next is None:
        return None
    view = discord.ui.View(timeout=None)
    for button in (SignUpNext, SignUpAll, WithdrawNext, CalendarButton):
        view.add_item(button(state.series.id))
    return view


async def _state(interaction: discord.Interaction[HealthBot], series_id: int) -> SeriesState:
    assert interaction.guild_id is not None
    bot = interaction.client
    async with bot.db.sessions() as session:
        return await series.state_of(session, series_id, bot.clock.now(), interaction.guild_id)


class _SeriesButton(GuardedButton, prefix=CustomId.SERIES_SIGNUP, fields=ID):
    label_text = "Sign up"
    style_of = discord.ButtonStyle.secondary

    def __init__(self, series_id: int) -> None:
        super().__init__(series_id, label=self.label_text, style=self.style_of)
        self.series_id = series_id

    @classmethod
    def from_match(cls, match: re.Match[str], item: discord.ui.Button[Any]) -> Any:
        return cls(int(match["id"]))


class SignUpNext(_SeriesButton, prefix=CustomId.SERIES_SIGNUP, fields=ID):
    """A place (or the waiting list) for the next date only."""

    style_of = discord.ButtonStyle.success

    async def run(self, interaction: discord.Interaction[HealthBot]) -> None:
        assert interaction.guild_id is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        nxt = (await _state(interaction, self.series_id)).next
        if nxt is None:
            raise InvalidInput("There are no more dates to sign up for. Try `/activities`.")
        bot = interaction.client
        try:
            async with bot.db.sessions() as session, session.begin():
                result = await signups.sign_up(
                    session, interaction.guild_id, nxt.id, interaction.user.id, bot.clock.now()
                )
        except ConsentNeeded:
            await show_consent_card(interaction, AfterConsent.SIGNUP, str(nxt.id))
            return
        if result.position is None:
            text = (
                f"You have a place at **{nxt.title}** on {when_words(nxt)}. This is the next "
                "date only. Press Sign up for all to come to every date."
            )
        else:
            text = (
                f"The next **{nxt.title}** is full, so you are number {result.position} on the "
                "waiting list. If a place comes up it is yours, and we will tell you."
            )
        await interaction.followup.send(text, ephemeral=True)
        await keeper(bot).refresh(nxt.id)


class SignUpAll(_SeriesButton, prefix=CustomId.SERIES_SIGNUP_ALL, fields=ID):
    """A place (or the waiting list) on every date made so far."""

    label_text = "Sign up for all"

    async def run(self, interaction: discord.Interaction[HealthBot]) -> None:
        await sign_up_for_all(interaction, self.series_id)


async def sign_up_for_all(
    interaction: discord.Interaction[HealthBot], series_id: int, *, after_consent: bool = False
) -> None:
    assert interaction.guild_id is not None
    if not after_consent:
        await interaction.response.defer(ephemeral=True, thinking=True)
    state = await _state(interaction, series_id)
    bot = interaction.client
    try:
        async with bot.db.sessions() as session, session.begin():
            results = await series.sign_up_for_all(
                session, interaction.guild_id, state.first.id, interaction.user.id, bot.clock.now()
            )
    except ConsentNeeded:
        await show_consent_card(interaction, AfterConsent.SERIES_SIGNUP_ALL, str(series_id))
        return
    text = all_words(state.series.title, results)
    if after_consent:
        await interaction.response.edit_message(content=text, embed=None, view=None)
    else:
        await interaction.followup.send(text, ephemeral=True)
    if results:
        await keeper(bot).refresh(results[0].activity_id)


async def after_consent_all(interaction: discord.Interaction[HealthBot], arg: str) -> None:
    """After "I agree" on the card Sign up for all showed."""
    await sign_up_for_all(interaction, int(arg), after_consent=True)


def all_words(title: str, results: list[DateSignup]) -> str:
    if not results:
        return f"There are no dates of **{title}** to sign up for yet. Try again later."
    lines = []
    for result in results:
        when = format_dt(result.starts_at, "F")
        if result.status == "confirmed":
            lines.append(f"- {when}: you have a place.")
        elif result.status == "waiting":
            lines.append(f"- {when}: full, you are number {result.position} on the waiting list.")
        else:
            lines.append(f"- {when}: {result.message}")
    head = f"You are signed up for the dates of **{title}** planned so far:\n"
    tail = "\nNew dates are added a few weeks ahead. Press Sign up for all again to join them."
    return fit(head + "\n".join(lines), 1900 - len(tail)) + tail


class WithdrawNext(_SeriesButton, prefix=CustomId.SERIES_WITHDRAW, fields=ID):
    """Give up the soonest date the person is signed up or waiting for."""

    label_text = "Withdraw"

    async def run(self, interaction: discord.Interaction[HealthBot]) -> None:
        assert interaction.guild_id is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        bot = interaction.client
        async with bot.db.sessions() as session, session.begin():
            mine = await series.next_of_mine(
                session, self.series_id, interaction.user.id, bot.clock.now()
            )
            if mine is None:
                raise InvalidInput(
                    "You are not signed up for any date of this activity still to come."
                )
            result = await signups.withdraw(
                session, interaction.guild_id, mine.id, interaction.user.id, bot.clock.now()
            )
        if result.had_place:
            text = f"You have given up your place at **{mine.title}** on {when_words(mine)}."
            if result.promoted_user_id is not None:
                bot.outbox.wake()
        else:
            text = f"You have left the waiting list for **{mine.title}** on {when_words(mine)}."
        text += " To give up another date too, press Withdraw again or use `/withdraw`."
        await interaction.followup.send(text, ephemeral=True)
        await keeper(bot).refresh(mine.id)


class CalendarButton(_SeriesButton, prefix=CustomId.SERIES_CALENDAR, fields=ID):
    """The whole series as one calendar entry that repeats."""

    label_text = "Add to calendar"

    async def run(self, interaction: discord.Interaction[HealthBot]) -> None:
        state = await _state(interaction, self.series_id)
        bot = interaction.client
        async with bot.db.sessions() as session:
            rule = await series.calendar_for(session, state.first.id)
        assert rule is not None
        ics = calendar.series_ics(rule, bot.clock.now())
        await interaction.response.send_message(
            f"Here is **{state.series.title}** for your calendar, with every date. "
            "Open the file to add it.",
            file=discord.File(io.BytesIO(ics.encode()), filename=calendar.series_file_name(rule)),
            ephemeral=True,
        )


SERIES_BUTTONS = (SignUpNext, SignUpAll, WithdrawNext, CalendarButton)


def dates_list(view: list[ActivityView]) -> str:
    return "\n".join(f"- {when_words(a)}" for a in view)
