"""Feedback's buttons, form and messages: the request sent after an activity (quick buttons and
**Tell us more**), the form, the public "How did it go?" post and "You said, we did"."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import discord

from bot.errors import UserFacingError
from bot.services import feedback
from bot.services.feedback import ActivityInfo, FormAnswers
from bot.ui.base import GuardedButton, PersistentModal
from bot.ui.custom_ids import CustomId
from bot.ui.limits import (
    CONTENT,
    EMBED_DESCRIPTION,
    EMBED_TITLE,
    MODAL_TITLE,
    fit,
    fit_embed,
    lines_within,
)
from bot.ui.reply import reply
from bot.ui.text import plain, shown, shown_line

if TYPE_CHECKING:
    from bot.client import HealthBot

QUICK_WORDS = {"good": "Good", "okay": "Okay", "not_good": "Not good"}
# Reactions on the public post, with their meaning always written next to them.
REACTIONS = {"👍": "good", "😐": "okay", "👎": "not_good"}
RATING_OPTIONS = {1: "not good", 2: "could be better", 3: "okay", 4: "good", 5: "very good"}


def request_message(activity: ActivityInfo) -> tuple[str, discord.ui.View]:
    """The personal request after an activity: three quick buttons and **Tell us more**."""
    view = discord.ui.View(timeout=None)
    for choice in QUICK_WORDS:
        view.add_item(QuickRatingButton(activity.id, choice))
    view.add_item(TellUsMoreButton(activity.id))
    text = (
        f"Thank you for taking part in **{shown_line(activity.title, 200)}**. How did it go? Press a button, "
        "or press **Tell us more** for a short form. You can keep the form anonymous."
    )
    return text, view


def post_text(activity: ActivityInfo) -> str:
    meanings = ", ".join(
        f"{emoji} for {QUICK_WORDS[choice].lower()}" for emoji, choice in REACTIONS.items()
    )
    return (
        f"**How did {shown_line(activity.title, 200)} go?**\n"
        f"If you took part, react to this message: {meanings}. Or reply in the thread below.\n"
        "To say more, or to stay anonymous, use `/feedback give`."
    )


def update_post_text(activity: ActivityInfo, text: str) -> str:
    title = shown_line(activity.title, 200)
    return f"**You said, we did: {title}**\n{shown(text, CONTENT - len(title) - 30)}"


def update_message_text(activity: ActivityInfo, text: str) -> str:
    return (
        f"You gave feedback on **{shown_line(activity.title, 200)}**. Here is what we did with "
        f"it.\n\n**You said, we did:** {shown(text, CONTENT - 400)}\n\n"
        "Thank you for helping us get better."
    )


async def open_form(interaction: discord.Interaction[HealthBot], activity_id: int) -> None:
    """Show the form, unless feedback on this activity cannot be given (said plainly)."""
    bot = interaction.client
    async with bot.db.sessions() as session:
        activity = await feedback.check_can_give(
            session, activity_id, interaction.user.id, bot.clock.now()
        )
    await interaction.response.send_modal(FeedbackForm(activity.id, activity.title))


class FeedbackForm(PersistentModal, prefix=CustomId.FEEDBACK_FORM, fields=r"(?P<activity>[0-9]+)"):
    """The feedback form. It is answered by its custom id (`PersistentModal`), so a form opened
    before a restart is still saved after it; when it cannot be saved (the activity was
    cancelled, or the form was already sent), the person gets their own words back to keep."""

    def __init__(self, activity_id: int, title: str = "") -> None:
        super().__init__(
            activity_id,
            title=plain(f"Feedback: {title}", MODAL_TITLE) if title else "Feedback",
        )
        self.activity_id = activity_id
        self.rating: discord.ui.Select[Any] = discord.ui.Select(
            custom_id="rating",
            placeholder="Pick 1 to 5",
            min_values=0,
            max_values=1,
            required=False,
            options=[
                discord.SelectOption(label=f"{value} - {words}", value=str(value))
                for value, words in RATING_OPTIONS.items()
            ],
        )
        self.worked = _long_answer("worked", "For example: the hosts were kind")
        self.to_change = _long_answer("to_change", "For example: more breaks")
        self.anonymous: discord.ui.Checkbox[Any] = discord.ui.Checkbox(custom_id="anonymous")
        self.add_item(discord.ui.Label(text="How did it go?", component=self.rating))
        self.add_item(discord.ui.Label(text="What worked?", component=self.worked))
        self.add_item(discord.ui.Label(text="What could we change?", component=self.to_change))
        self.add_item(
            discord.ui.Label(
                text="Keep my feedback anonymous",
                description="Your answers are stored without your name.",
                component=self.anonymous,
            )
        )

    @classmethod
    async def restore(
        cls, interaction: discord.Interaction[Any], match: re.Match[str]
    ) -> FeedbackForm:
        return cls(int(match["activity"]))

    async def on_submit(self, interaction: discord.Interaction[HealthBot]) -> None:  # type: ignore[override]
        bot = interaction.client
        answers = FormAnswers(
            rating=int(self.rating.values[0]) if self.rating.values else None,
            worked=self.worked.value,
            to_change=self.to_change.value,
            anonymous=self.anonymous.value,
        )
        try:
            async with bot.db.sessions() as session, session.begin():
                activity = await feedback.submit_form(
                    session, self.activity_id, interaction.user.id, answers, bot.clock.now()
                )
        except UserFacingError as error:
            await reply(interaction, kept_answers(error.message, answers))
            return
        how = "without your name" if answers.anonymous else "with your name"
        await reply(
            interaction,
            f"Thank you. Your feedback on **{shown_line(activity.title, 200)}** is saved {how}. "
            "Coordinators read every answer.",
        )


def kept_answers(refusal: str, answers: FormAnswers) -> str:
    """A refusal of a form, with what the person wrote given back to them (privately) so their
    words are not lost: they can copy them into a new form or a message to a coordinator."""
    written = [
        (label, text.strip())
        for label, text in (
            ("What worked", answers.worked),
            ("What could we change", answers.to_change),
        )
        if text.strip()
    ]
    if not written:
        return fit(refusal, CONTENT)
    intro = f"{fit(refusal, 600)}\nHere is what you wrote, so you can keep it:"
    room = (CONTENT - len(intro) - 40) // len(written)
    quoted = [f"**{label}:**\n{shown(text, room)}" for label, text in written]
    return fit("\n".join([intro, *quoted]), CONTENT)


def _long_answer(custom_id: str, placeholder: str) -> discord.ui.TextInput[Any]:
    return discord.ui.TextInput(
        custom_id=custom_id,
        style=discord.TextStyle.paragraph,
        placeholder=placeholder,
        required=False,
        max_length=feedback.MAX_TEXT,
    )


class QuickRatingButton(
    GuardedButton,
    prefix=CustomId.FEEDBACK_QUICK,
    fields=r"(?P<activity>[0-9]+):(?P<choice>good|okay|not_good)",
):
    def __init__(self, activity_id: int, choice: str) -> None:
        super().__init__(
            activity_id, choice, label=QUICK_WORDS[choice], style=discord.ButtonStyle.secondary
        )
        self.activity_id = activity_id
        self.choice = choice

    @classmethod
    def from_match(cls, match: re.Match[str], item: discord.ui.Button[Any]) -> QuickRatingButton:
        return cls(int(match["activity"]), match["choice"])

    async def run(self, interaction: discord.Interaction[HealthBot]) -> None:
        bot = interaction.client
        async with bot.db.sessions() as session, session.begin():
            activity = await feedback.rate_quickly(
                session, self.activity_id, interaction.user.id, self.choice, bot.clock.now()
            )
        await interaction.response.send_message(
            f"Thank you. We noted that **{shown_line(activity.title, 200)}** went "
            f"{QUICK_WORDS[self.choice].lower()} for you. Press another button to change it, "
            "or **Tell us more** to say more.",
            ephemeral=True,
        )


class TellUsMoreButton(
    GuardedButton,
    prefix=CustomId.FEEDBACK_MORE,
    fields=r"(?P<activity>[0-9]+)",
):
    def __init__(self, activity_id: int) -> None:
        super().__init__(activity_id, label="Tell us more", style=discord.ButtonStyle.primary)
        self.activity_id = activity_id

    @classmethod
    def from_match(cls, match: re.Match[str], item: discord.ui.Button[Any]) -> TellUsMoreButton:
        return cls(int(match["activity"]))

    async def run(self, interaction: discord.Interaction[HealthBot]) -> None:
        await open_form(interaction, self.activity_id)


def summary_embed(summary: feedback.FeedbackSummary, names: dict[int, str]) -> discord.Embed:
    """Counts, average and spread in words (the chart shows the same), then as many comments
    as fit (the CSV file has them all). People's words are shown as text, never as markdown,
    links or pings."""
    average = summary.average
    spread = ", ".join(f"{value}: {count}" for value, count in summary.rating_counts.items())
    head = [
        f"{summary.count('form')} forms, {summary.count('quick')} quick ratings, "
        f"{summary.count('comment')} replies in the thread.",
        "No ratings yet."
        if average is None
        else f"Average rating {average:.1f} out of 5 from {len(summary.ratings)} ratings "
        f"(how many gave each rating: {spread}).",
        "",
    ]
    comments = [_comment_line(item, names) for item in summary.items if item.source != "quick"]
    room = EMBED_DESCRIPTION - len("\n".join(head)) - 1
    description = "\n".join(head) + "\n" + lines_within(comments, room, _more_in_the_file)
    embed = discord.Embed(
        title=f"Feedback on {shown_line(summary.activity.title, EMBED_TITLE - 20)}",
        description=description.rstrip(),
    )
    embed.set_image(url="attachment://ratings.png")
    embed.set_footer(text="Quick ratings count as 5 (good), 3 (okay) and 1 (not good).")
    return fit_embed(embed)


def _more_in_the_file(hidden: int) -> str:
    return f"…and {hidden} more in the CSV file."


def _comment_line(item: feedback.FeedbackItem, names: dict[int, str]) -> str:
    who = (
        "anonymous"
        if item.user_id is None
        else shown_line(names[item.user_id], 100)
        if item.user_id in names
        else "a member"
    )
    parts = [
        f"worked: {shown_line(item.worked, 600)}" if item.worked else "",
        f"change: {shown_line(item.to_change, 600)}" if item.to_change else "",
        shown_line(item.comment, 600) if item.comment else "",
    ]
    said = "; ".join(part for part in parts if part) or "(a rating only)"
    rating = f"rated {item.rating}, " if item.rating is not None else ""
    return f"- {said} ({rating}{who})"
