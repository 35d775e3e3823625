"""Interaction drivers: a person runs a slash command, autocompletes, clicks, selects, submits.

Each returns once the bot has answered the interaction, and raises a clear
AssertionError when it does not, answers too late, or answers with something
Discord would reject.
"""

# The public API takes timeout= arguments by design (tests pass them per call).
# ruff: noqa: ASYNC109

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from . import permissions as perm
from .commands import Resolver, build_command_data
from .gateway import Gateway
from .guild import SimGuild
from .interactions import (
    APPLICATION_COMMAND,
    AUTOCOMPLETE,
    MESSAGE_COMPONENT,
    MODAL_SUBMIT,
    SimInteraction,
)
from .modals import answers_by_label, build_modal_submit
from .models import SimChannel, SimMessage, SimUser
from .people import People


class Drivers(People):
    gateway: Gateway
    # Pause before a person uses a component the bot just sent, so discord.py
    # has registered the view (it does so after its HTTP call returns).
    settle: float

    # -- interactions ------------------------------------------------------------

    async def slash(
        self,
        guild: SimGuild | None,
        user: SimUser,
        name: str,
        options: dict[str, Any] | None = None,
        *,
        channel: SimChannel | None = None,
        timeout: float = 10,
    ) -> SimInteraction:
        """Run "/name sub" with typed options; returns once the bot has answered."""
        channel = self._command_channel(guild, user, channel)
        await self._await_sync(timeout)
        data = build_command_data(self.state, guild, channel, user, name, options or {})
        ix = SimInteraction(
            self.state, kind=APPLICATION_COMMAND, user=user, guild=guild, channel=channel, data=data
        )
        return await self._run(ix, timeout, f"/{name}")

    async def autocomplete(
        self,
        guild: SimGuild | None,
        user: SimUser,
        name: str,
        focused: str,
        value: str,
        options: dict[str, Any] | None = None,
        *,
        channel: SimChannel | None = None,
        timeout: float = 10,
    ) -> list[dict[str, Any]]:
        """Type ``value`` into option ``focused`` of /name; returns the bot's choices."""
        channel = self._command_channel(guild, user, channel)
        await self._await_sync(timeout)
        values = {**(options or {}), focused: value}
        data = build_command_data(self.state, guild, channel, user, name, values, focused=focused)
        ix = SimInteraction(
            self.state, kind=AUTOCOMPLETE, user=user, guild=guild, channel=channel, data=data
        )
        await self._run(ix, timeout, f"autocomplete /{name} {focused}={value!r}")
        return ix.choices or []

    async def click(
        self, user: SimUser, message: SimMessage, custom_id: str, *, timeout: float = 10
    ) -> SimInteraction:
        comp = self._component(user, message, custom_id, (2,))
        if comp.get("disabled"):
            raise AssertionError(f"button {custom_id!r} is disabled")
        data = {"custom_id": custom_id, "component_type": 2}
        return await self._component_interaction(user, message, data, timeout)

    async def select(
        self,
        user: SimUser,
        message: SimMessage,
        custom_id: str,
        values: list[Any],
        *,
        timeout: float = 10,
    ) -> SimInteraction:
        comp = self._component(user, message, custom_id, (3, 5, 6, 7, 8))
        kind = int(comp["type"])
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": kind}
        low, high = int(comp.get("min_values", 1)), int(comp.get("max_values", 1))
        if not low <= len(values) <= high:
            raise AssertionError(f"select {custom_id!r} takes {low}..{high} values, got {values!r}")
        if kind == 3:
            options = [str(o["value"]) for o in comp.get("options") or []]
            unknown = [v for v in values if str(v) not in options]
            if unknown:
                raise AssertionError(f"select {custom_id!r}: {unknown!r} not among {options}")
            data["values"] = [str(v) for v in values]
        else:
            channel = self.state.channels[message.channel_id]
            res = Resolver(self.state, self.state.guild_of(channel), channel, user)
            pick: dict[int, Callable[[Any], str]] = {
                5: res.user,
                6: res.role,
                8: lambda v: res.channel_value(v, comp.get("channel_types")),
            }
            data["values"] = [pick.get(kind, res.user)(v) for v in values]
            data["resolved"] = res.resolved
        return await self._component_interaction(user, message, data, timeout)

    async def submit_modal(
        self, ix: SimInteraction, values: dict[str, Any], *, timeout: float = 10
    ) -> SimInteraction:
        """Fill in and submit the modal the bot showed in answer to ``ix``."""
        modal = ix.modal
        if modal is None:
            raise AssertionError(f"the bot did not answer {ix!r} with a modal")
        await self._settle(ix.responded_at)
        res = Resolver(self.state, ix.guild, ix.channel, ix.user)
        data: dict[str, Any] = {
            "custom_id": modal["custom_id"],
            "components": build_modal_submit(modal, values, res),
        }
        if res.resolved:
            data["resolved"] = res.resolved
        new = SimInteraction(
            self.state,
            kind=MODAL_SUBMIT,
            user=ix.user,
            guild=ix.guild,
            channel=ix.channel,
            data=data,
            message=ix.message,
        )
        return await self._run(new, timeout, f"modal {modal['custom_id']!r}")

    async def fill_modal(
        self, ix: SimInteraction, answers: dict[str, Any], *, timeout: float = 10
    ) -> SimInteraction:
        """Fill in the modal as a person reads it: fields by their label, choices by their
        option label (``{"How did it go?": "5 - very good"}``), then submit it."""
        if ix.modal is None:
            raise AssertionError(f"the bot did not answer {ix!r} with a modal")
        return await self.submit_modal(ix, answers_by_label(ix.modal, answers), timeout=timeout)

    async def choose(
        self,
        user: SimUser,
        message: SimMessage,
        placeholder: str,
        option_labels: list[str],
        *,
        timeout: float = 10,
    ) -> SimInteraction:
        """Pick options by their labels in the select menu showing ``placeholder``."""
        custom_id = message.custom_id(placeholder)
        comp = message.find_component(custom_id) or {}
        by_label = {str(o.get("label")): str(o["value"]) for o in comp.get("options") or []}
        missing = [label for label in option_labels if label not in by_label]
        if missing:
            raise AssertionError(f"select {placeholder!r} has no {missing}; has {list(by_label)}")
        values = [by_label[label] for label in option_labels]
        return await self.select(user, message, custom_id, values, timeout=timeout)

    async def _component_interaction(
        self, user: SimUser, message: SimMessage, data: dict[str, Any], timeout: float
    ) -> SimInteraction:
        channel = self.state.channels[message.channel_id]
        await self._settle(message.changed_at)
        guild = self.state.guild_of(channel)
        ix = SimInteraction(
            self.state,
            kind=MESSAGE_COMPONENT,
            user=user,
            guild=guild,
            channel=channel,
            data=data,
            message=message,
        )
        return await self._run(ix, timeout, f"component {data['custom_id']!r}")

    def _component(
        self, user: SimUser, message: SimMessage, custom_id: str, kinds: tuple[int, ...]
    ) -> dict[str, Any]:
        if message.deleted:
            raise AssertionError(f"message {message.id} was deleted")
        meta = message.interaction_metadata or {}
        if message.ephemeral and meta.get("user", {}).get("id") != str(user.id):
            raise AssertionError(f"{user.name} cannot see ephemeral message {message.id}")
        self._require_view(user, self.state.channels[message.channel_id])
        comp = message.find_component(custom_id)
        if comp is None or comp.get("type") not in kinds:
            ids = [c.get("custom_id") for c in message.all_components() if c.get("custom_id")]
            raise AssertionError(
                f"message {message.id} has no component {custom_id!r} of type {kinds}; has {ids}"
            )
        return comp

    def _command_channel(
        self, guild: SimGuild | None, user: SimUser, channel: SimChannel | None
    ) -> SimChannel:
        if guild is None:
            return channel or self.state.dm_channel(user)
        if channel is None:
            visible = [
                c
                for c in guild.channels.values()
                if c.type == 0 and guild.can(user, c, perm.VIEW_CHANNEL)
            ]
            if not visible:
                raise AssertionError(f"{user.name} can see no text channel in {guild.name!r}")
            channel = visible[0]
        if channel.guild_id != guild.id:
            raise AssertionError(f"channel {channel.name!r} is not in guild {guild.name!r}")
        if not guild.can(user, channel, perm.VIEW_CHANNEL | perm.USE_APPLICATION_COMMANDS):
            raise AssertionError(f"{user.name} cannot use commands in #{channel.name}")
        return channel

    async def _await_sync(self, timeout: float) -> None:
        # A bot that syncs in on_ready may not have done so yet.
        if self.state.sync_count == 0:
            await self.state.wait_until(
                lambda: self.state.sync_count > 0, timeout, "the bot to sync its commands"
            )

    async def _settle(self, since: float | None) -> None:
        if since is not None:
            remaining = self.settle - (time.monotonic() - since)
            if remaining > 0:
                await asyncio.sleep(remaining)

    async def _run(self, ix: SimInteraction, timeout: float, what: str) -> SimInteraction:
        if not self.gateway.ready_sessions():
            raise AssertionError(
                f"cannot send {what}: no bot is connected (await sim.wait_until_ready() first)"
            )
        self.state.interactions[ix.id] = ix
        self.state.interaction_tokens[ix.token] = ix
        ix.created_at = time.monotonic()
        await self.state.dispatch("INTERACTION_CREATE", ix.payload)
        try:
            await self.state.wait_until(
                lambda: ix.response is not None or ix.errors or ix.late, timeout, what
            )
        except AssertionError:
            raise AssertionError(
                self._explain(f"the bot did not answer {what} within {timeout}s")
            ) from None
        if ix.late:
            deadline = self.state.interaction_deadline
            raise AssertionError(f"the bot answered {what} after Discord's {deadline}s deadline")
        if ix.errors:
            raise AssertionError(
                self._explain(f"Discord would reject the bot's answer to {what}: {ix.errors}")
            )
        return ix

    def _explain(self, headline: str) -> str:
        lines = [headline]
        if self.state.unknown_routes:
            lines.append(f"unknown routes: {self.state.unknown_routes[-5:]}")
        if self.state.errors:
            lines.append(f"simulator errors: {self.state.errors[-2:]}")
        recent = [f"{r.route} -> {r.status}" for r in self.state.requests[-5:]]
        lines.append(f"last requests: {recent}")
        return "\n".join(lines)
