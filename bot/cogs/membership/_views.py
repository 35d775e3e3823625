"""Membership's buttons and forms: the consent card's "I agree" and "Not now", the profile
form, the welcome post's **Get started** button, and the confirmation that erases a person's
data."""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import discord
from discord import CheckboxGroupOption, RadioGroupOption

from bot.errors import Conflict
from bot.services import consent, membership, mydata
from bot.services.membership import Profile, ProfileForm
from bot.services.vocabulary import AVAILABILITY, INTEREST_KINDS, kind_words
from bot.settings import config_dir
from bot.ui.base import GuardedButton, PersistentModal
from bot.ui.consent import AGREE_FIELDS, AfterConsent, continuation_of, require_consent
from bot.ui.custom_ids import CustomId
from bot.ui.limits import EMBED_DESCRIPTION, FIELD_VALUE
from bot.ui.text import shown, shown_line

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from bot.client import HealthBot

# A confirmation older than this asks the person to start again, so a button scrolled back to
# weeks later cannot erase data they have given since.
CONFIRMATION_LIFETIME = timedelta(minutes=15)

ALREADY_JOINED = (
    "You have already joined the community. You can see or change your profile with `/profile`."
)
ERASED = (
    "Done. Everything we held about you has been deleted, and your consent with it. "
    "If you want to take part again one day, use `/join`."
)
NOTHING_TO_ERASE = "We hold nothing about you now, so there was nothing to delete."
INTEREST_LABELS = {kind: kind_words(kind) for kind in INTEREST_KINDS}
NOT_NOW = (
    "No problem. Nothing about you has been stored. You can agree any time with `/join`, "
    "and read `/privacy` to see what we would keep."
)
CONTINUATION_LOST = (
    "Thank you, your agreement is saved. We could not finish what you started, so please "
    "do it again now."
)


def profile_embed(profile: Profile) -> discord.Embed:
    def listed(values: tuple[str, ...], labels: dict[str, str]) -> str:
        return ", ".join(labels.get(value, value) for value in values) or "Nothing chosen"

    embed = discord.Embed(title="Your profile")
    embed.add_field(
        name="Name we use",
        value=shown_line(profile.display_name, FIELD_VALUE)
        if profile.display_name
        else "Not given yet",
    )
    embed.add_field(name="Interested in", value=listed(profile.interests, INTEREST_LABELS))
    embed.add_field(name="Usually free", value=listed(profile.availability, AVAILABILITY))
    embed.add_field(
        name="What helps you take part",
        value=shown(profile.adjustments, FIELD_VALUE) if profile.adjustments else "Nothing yet",
        inline=False,
    )
    embed.add_field(
        name="Reminders",
        value="By direct message" if profile.wants_dms else "In your private thread here",
        inline=False,
    )
    embed.set_footer(text="Only you and the coordinators can see what helps you take part.")
    return embed


class ProfileModal(PersistentModal, prefix=CustomId.PROFILE_FORM):
    """The same form for joining and for editing; it opens filled in with what is saved.
    Everything it saves comes from the submitted form, so one sent before a restart is
    answered after it (`PersistentModal`)."""

    def __init__(self, profile: Profile | None = None) -> None:
        super().__init__(title="Your profile")
        interests = profile.interests if profile else ()
        availability = profile.availability if profile else ()
        wants_dms = profile.wants_dms if profile else True
        self.name: discord.ui.TextInput[Any] = discord.ui.TextInput(
            custom_id="name",
            max_length=membership.NAME_MAX,
            default=profile.display_name if profile else None,
        )
        self.interests: discord.ui.CheckboxGroup[Any] = _checkboxes(
            "interests", INTEREST_LABELS, interests
        )
        self.adjustments: discord.ui.TextInput[Any] = discord.ui.TextInput(
            custom_id="adjustments",
            style=discord.TextStyle.paragraph,
            required=False,
            max_length=membership.ADJUSTMENTS_MAX,
            default=profile.adjustments if profile else None,
        )
        self.availability: discord.ui.CheckboxGroup[Any] = _checkboxes(
            "availability", AVAILABILITY, availability
        )
        self.dms: discord.ui.RadioGroup[Any] = discord.ui.RadioGroup(
            custom_id="dms",
            options=[
                RadioGroupOption(label="Yes, by direct message", value="yes", default=wants_dms),
                RadioGroupOption(
                    label="No, in my private thread here", value="no", default=not wants_dms
                ),
            ],
        )
        for text, description, item in (
            ("The name you would like us to use", None, self.name),
            ("What would you like to take part in?", "Pick any you like.", self.interests),
            (
                "Is there anything that helps you take part?",
                "For example large print, or breaks every 30 minutes",
                self.adjustments,
            ),
            ("When are you usually free?", "Pick any that fit.", self.availability),
            ("Reminders by direct message?", None, self.dms),
        ):
            self.add_item(discord.ui.Label(text=text, description=description, component=item))

    async def on_submit(self, interaction: discord.Interaction[HealthBot], /) -> None:  # type: ignore[override]
        assert interaction.guild_id is not None
        form = ProfileForm(
            display_name=self.name.value,
            interests=tuple(self.interests.values),
            availability=tuple(self.availability.values),
            adjustments=self.adjustments.value,
            wants_dms=self.dms.value == "yes",
        )
        async with interaction.client.db.sessions() as session, session.begin():
            saved = await membership.save_profile(
                session, interaction.guild_id, interaction.user.id, form
            )
        await interaction.response.send_message(
            "Saved, thank you. Try `/activities` to see what is coming up. "
            "You can change this any time with `/profile`.",
            embed=profile_embed(saved),
            ephemeral=True,
        )


def _checkboxes(
    custom_id: str, labels: dict[str, str], picked: tuple[str, ...]
) -> discord.ui.CheckboxGroup[Any]:
    return discord.ui.CheckboxGroup(
        custom_id=custom_id,
        required=False,
        min_values=0,
        max_values=len(labels),
        options=[
            CheckboxGroupOption(label=label, value=value, default=value in picked)
            for value, label in labels.items()
        ],
    )


async def saved_profile(interaction: discord.Interaction[HealthBot]) -> Profile | None:
    assert interaction.guild_id is not None
    async with interaction.client.db.sessions() as session:
        return await membership.find_profile(session, interaction.guild_id, interaction.user.id)


async def open_profile_form(interaction: discord.Interaction[HealthBot], _arg: str = "") -> None:
    """Also what "I agree" does for `/join` (the form is a valid answer to the button)."""
    await interaction.response.send_modal(ProfileModal(await saved_profile(interaction)))


async def start_join(interaction: discord.Interaction[HealthBot]) -> None:
    """`/join` and **Get started**: the consent card once, then the profile form."""
    if not await require_consent(interaction, AfterConsent.JOIN):
        return
    profile = await saved_profile(interaction)
    if profile is not None and profile.filled_in:
        raise Conflict(ALREADY_JOINED)
    await interaction.response.send_modal(ProfileModal(profile))


class GetStartedButton(GuardedButton, prefix=CustomId.GET_STARTED):
    def __init__(self) -> None:
        super().__init__(label="Get started", style=discord.ButtonStyle.primary)

    async def run(self, interaction: discord.Interaction[HealthBot]) -> None:
        await start_join(interaction)


class EditProfileButton(GuardedButton, prefix=CustomId.EDIT_PROFILE):
    def __init__(self) -> None:
        super().__init__(label="Edit profile", style=discord.ButtonStyle.primary)

    async def run(self, interaction: discord.Interaction[HealthBot]) -> None:
        if await require_consent(
            interaction, AfterConsent.JOIN
        ):  # they may have deleted their data since
            await open_profile_form(interaction)


def confirmation_refusal(
    owner_id: int, presser_id: int, issued_at: datetime, now: datetime
) -> str | None:
    """Why this press of an erase confirmation must change nothing, or None if it may go on."""
    if presser_id != owner_id:
        return (
            "This button belongs to someone else, so nothing was deleted. "
            "To delete your own data, use `/mydata delete`."
        )
    if now - issued_at > CONFIRMATION_LIFETIME:
        return (
            "This confirmation is too old, so nothing was deleted. "
            "If you still want to delete your data, use `/mydata delete` again."
        )
    return None


class ConfirmEraseButton(
    GuardedButton,
    prefix=CustomId.CONFIRM_ERASE,
    fields=r"(?P<user_id>[0-9]+):(?P<issued>[0-9]+)",
):
    """Carries whose data and when it was asked, so only that person, and only soon after
    asking, can erase."""

    def __init__(self, user_id: int, issued_at: datetime) -> None:
        issued = int(issued_at.timestamp())
        super().__init__(
            user_id, issued, label="Yes, delete everything", style=discord.ButtonStyle.danger
        )
        self.user_id = user_id
        self.issued_at = datetime.fromtimestamp(issued, UTC)

    @classmethod
    def from_match(cls, match: re.Match[str], item: discord.ui.Button[Any]) -> ConfirmEraseButton:
        return cls(int(match["user_id"]), datetime.fromtimestamp(int(match["issued"]), UTC))

    async def run(self, interaction: discord.Interaction[HealthBot]) -> None:
        assert interaction.guild_id is not None
        bot = interaction.client
        refusal = confirmation_refusal(
            self.user_id, interaction.user.id, self.issued_at, bot.clock.now()
        )
        if refusal is not None:
            await interaction.response.send_message(refusal, ephemeral=True)
            return
        async with bot.db.sessions() as session, session.begin():
            erased = await mydata.erase(
                session, interaction.guild_id, self.user_id, bot.erasure_steps
            )
        bot.outbox.wake()  # the steps may have told others (a place passed on, a pair ended)
        if erased.held_anything:  # an operator's record that erasure happened; names nobody
            log.info(
                "Erased a member's data on request: %d rows deleted, %d values cleared",
                erased.rows_deleted,
                erased.values_cleared,
            )
        await interaction.response.edit_message(
            content=ERASED if erased.held_anything else NOTHING_TO_ERASE, embed=None, view=None
        )


class AgreeButton(GuardedButton, prefix=CustomId.CONSENT_AGREE, fields=AGREE_FIELDS):
    """ "I agree" on the consent card (`bot.ui.consent`): records consent, then runs the
    continuation named in the custom id."""

    def __init__(self, action: str, arg: str = "") -> None:
        super().__init__(action, arg, label="I agree", style=discord.ButtonStyle.success)
        self.action = action
        self.arg = arg

    @classmethod
    def from_match(cls, match: re.Match[str], item: discord.ui.Button[Any]) -> AgreeButton:
        return cls(match["action"], match["arg"])

    async def run(self, interaction: discord.Interaction[HealthBot]) -> None:
        bot = interaction.client
        if interaction.guild_id is None:
            await interaction.response.send_message(
                "Please use this inside the community server.", ephemeral=True
            )
            return
        async with bot.db.sessions() as session, session.begin():
            await consent.record_consent(
                session,
                interaction.guild_id,
                interaction.user.id,
                bot.consent_notice.version,
                bot.clock.now(),
            )
        action = continuation_of(self.action)
        continuation = bot.after_consent.get(action) if action is not None else None
        if continuation is None:
            # tests/test_registries.py makes this a test failure; never lose it silently.
            log.error("No handler for the consent continuation %r", self.action)
            await interaction.response.edit_message(
                content=CONTINUATION_LOST, embed=None, view=None
            )
            return
        await continuation(interaction, self.arg)


NOTICE_TITLE = "Your privacy"


def full_notice(bot: HealthBot) -> str:
    return consent.load_full_notice(config_dir(), bot.settings.privacy)


def notice_embeds(text: str) -> list[discord.Embed]:
    """The full notice, split between paragraphs into embeds Discord accepts."""
    pages: list[str] = []
    for paragraph in text.split("\n\n"):
        if pages and len(pages[-1]) + 2 + len(paragraph) <= EMBED_DESCRIPTION:
            pages[-1] += "\n\n" + paragraph
        else:
            pages.append(paragraph[:EMBED_DESCRIPTION])
    return [
        discord.Embed(title=NOTICE_TITLE if number == 0 else None, description=page)
        for number, page in enumerate(pages)
    ]


class ReadMoreButton(GuardedButton, prefix=CustomId.READ_MORE):
    """**Read more** on the consent card: the full notice, privately, leaving the card as it is."""

    def __init__(self) -> None:
        super().__init__(label="Read more", style=discord.ButtonStyle.secondary)

    async def run(self, interaction: discord.Interaction[HealthBot]) -> None:
        await interaction.response.send_message(
            embeds=notice_embeds(full_notice(interaction.client)), ephemeral=True
        )


class NotNowButton(GuardedButton, prefix=CustomId.CONSENT_NOT_NOW):
    def __init__(self) -> None:
        super().__init__(label="Not now", style=discord.ButtonStyle.secondary)

    async def run(self, interaction: discord.Interaction[HealthBot]) -> None:
        await interaction.response.edit_message(content=NOT_NOW, embed=None, view=None)
