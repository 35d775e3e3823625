"""SimInteraction: one interaction sent to the bot, and everything the bot did in answer."""

# ruff: noqa: ASYNC109 - waiting helpers take timeout= like the rest of the public API

from __future__ import annotations

import secrets
import time
from typing import Any

from . import permissions as perm
from .content import message_texts
from .guild import SimGuild
from .models import EPHEMERAL, SimChannel, SimMessage, SimUser
from .state import SimState

APPLICATION_COMMAND, MESSAGE_COMPONENT, AUTOCOMPLETE, MODAL_SUBMIT = 2, 3, 4, 5

# What a bot may answer to each interaction type (Discord rejects the rest).
ALLOWED_RESPONSES = {
    APPLICATION_COMMAND: {4, 5, 9},
    MESSAGE_COMPONENT: {4, 5, 6, 7, 9},
    AUTOCOMPLETE: {8},
    MODAL_SUBMIT: {4, 5, 6, 7},
}

# Permissions Discord reports for the app inside a DM.
DM_APP_PERMISSIONS = (
    perm.VIEW_CHANNEL
    | perm.SEND_MESSAGES
    | perm.EMBED_LINKS
    | perm.ATTACH_FILES
    | perm.READ_MESSAGE_HISTORY
    | perm.ADD_REACTIONS
    | perm.USE_EXTERNAL_EMOJIS
)


class SimInteraction:
    def __init__(
        self,
        state: SimState,
        *,
        kind: int,
        user: SimUser,
        guild: SimGuild | None,
        channel: SimChannel,
        data: dict[str, Any],
        message: SimMessage | None = None,
    ) -> None:
        self._state = state
        self.id = state.ids.next()
        self.token = "ix-" + secrets.token_hex(16)
        self.type = kind
        self.user = user
        self.guild = guild
        self.channel = channel
        self.message = message  # the message a component was used on
        self.payload = build_payload(state, self, data)
        self.created_at = time.monotonic()
        self.responded_at: float | None = None
        self.response: dict[str, Any] | None = None
        self.original: SimMessage | None = None
        self.versions: list[str] = []  # text of each state of the original response
        self.followups: list[SimMessage] = []
        self.files: list[tuple[str, bytes]] = []
        self.errors: list[dict[str, Any]] = []  # callbacks Discord would have rejected
        self.late = False

    def __repr__(self) -> str:
        return f"<SimInteraction id={self.id} type={self.type} response_type={self.response_type} text={self.text!r}>"

    @property
    def data(self) -> dict[str, Any]:
        return dict(self.payload["data"])

    @property
    def response_type(self) -> int | None:
        return None if self.response is None else int(self.response.get("type", 0))

    @property
    def response_data(self) -> dict[str, Any]:
        return dict((self.response or {}).get("data") or {})

    @property
    def deferred(self) -> bool:
        return self.response_type in (5, 6)

    @property
    def ephemeral(self) -> bool:
        if self.original is not None:
            return self.original.ephemeral
        return bool(int(self.response_data.get("flags") or 0) & EPHEMERAL)

    @property
    def content(self) -> str:
        return self.original.content if self.original is not None else ""

    @property
    def embeds(self) -> list[dict[str, Any]]:
        return self.original.embeds if self.original is not None else []

    @property
    def components(self) -> list[dict[str, Any]]:
        return self.original.components if self.original is not None else []

    @property
    def modal(self) -> dict[str, Any] | None:
        return self.response_data if self.response_type == 9 else None

    @property
    def choices(self) -> list[dict[str, Any]] | None:
        return list(self.response_data.get("choices") or []) if self.response_type == 8 else None

    @property
    def text(self) -> str:
        """Everything a person would have read: each version of the answer, then followups."""
        parts = list(self.versions)
        for msg in self.followups:
            if msg is not self.original:
                parts.append(msg.text)
        return "\n".join(p for p in parts if p)

    def record_version(self) -> None:
        if self.original is None:
            return
        text = "\n".join(
            message_texts(self.original.content, self.original.embeds, self.original.components)
        )
        if text and (not self.versions or self.versions[-1] != text):
            self.versions.append(text)

    async def wait_followup(self, n: int = 1, timeout: float = 10) -> SimMessage:
        """Wait until the bot has sent ``n`` followups; returns the n-th."""
        await self._state.wait_until(
            lambda: len(self.followups) >= n, timeout, f"followup #{n} to {self!r}"
        )
        return self.followups[n - 1]

    async def wait_for(self, predicate: Any, timeout: float = 10) -> None:
        await self._state.wait_until(lambda: predicate(self), timeout, f"condition on {self!r}")


def channel_payload(state: SimState, channel: SimChannel, user: SimUser) -> dict[str, Any]:
    data = channel.payload()
    guild = state.guild_of(channel)
    if guild is not None:
        data["permissions"] = str(guild.channel_permissions(user, channel))
    return data


def build_payload(state: SimState, ix: SimInteraction, data: dict[str, Any]) -> dict[str, Any]:
    """A full INTERACTION_CREATE body, as complete as Discord's."""
    guild, channel, user = ix.guild, ix.channel, ix.user
    payload: dict[str, Any] = {
        "id": str(ix.id),
        "application_id": str(state.app_id),
        "type": ix.type,
        "token": ix.token,
        "version": 1,
        "data": data,
        "channel_id": str(channel.id),
        "channel": channel_payload(state, channel, user),
        "locale": "en-US",
        "entitlements": [],
        "entitlement_sku_ids": [],
        "attachment_size_limit": 10 * 1024 * 1024,
        "authorizing_integration_owners": {"0": str(guild.id) if guild else "0"},
        "context": 0 if guild else 1,
    }
    if guild is not None:
        member = guild.get_member(user)
        if member is None:
            raise AssertionError(f"{user.name} is not a member of {guild.name!r}")
        payload.update(
            guild_id=str(guild.id),
            guild={"id": str(guild.id), "locale": "en-US", "features": []},
            guild_locale="en-US",
            member={
                **member.payload(),
                "permissions": str(guild.channel_permissions(user, channel)),
            },
            app_permissions=str(guild.channel_permissions(state.bot_user, channel)),
        )
    else:
        payload.update(user=user.payload(), app_permissions=str(DM_APP_PERMISSIONS))
    if ix.message is not None:
        payload["message"] = ix.message.payload(bot_id=state.bot_user.id)
    return payload
