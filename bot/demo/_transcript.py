"""What each person saw, as readable text: every message the bot sent or changed, in order.

Reads the simulator's record of messages (channels, threads, DMs and "only you can see this"
replies) and prints each new or changed one under a line saying where it appeared. Mentions
become names, Discord timestamps become dates in the community's time zone, embeds become
lines, and buttons become `[Sign up] [Withdraw]`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from discord_sim import DiscordSimulator, SimMessage, SimUser
from discord_sim.models import PRIVATE_THREAD

MENTION = re.compile(r"<(@!?|@&|#)(\d+)>")
TIMESTAMP = re.compile(r"<t:(-?\d+)(?::([tTdDfFR]))?>")
ESCAPED = re.compile(r"\\([*_~`|>\\])")
INDENT = "    "


def display_name(user: SimUser) -> str:
    return user.global_name or user.name


def relative(when: datetime, now: datetime) -> str:
    seconds = (when - now).total_seconds()
    size = abs(seconds)
    for unit, length in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if size >= length:
            count = round(size / length)
            words = f"{count} {unit}{'s' * (count != 1)}"
            return f"in {words}" if seconds > 0 else f"{words} ago"
    return "now"


class Transcript:
    """Prints what people saw since the last `catch_up`, and the story's own narration."""

    def __init__(
        self,
        sim: DiscordSimulator,
        now: Callable[[], datetime],
        zone: ZoneInfo,
        write: Callable[[str], None] = print,
    ) -> None:
        self.sim = sim
        self.now = now
        self.zone = zone
        self.write = write
        # What each message looked like when last printed: its raw parts, so a relative time
        # ("in 3 days") that reads differently after the clock moved is not a change.
        self._shown: dict[int, str] = {}
        # A long message sent to several people (the consent card) is printed in full once.
        self._first_shown: dict[str, str] = {}

    # -- narration ---------------------------------------------------------------

    def chapter(self, title: str) -> None:
        self.write("")
        self.write(f"=== {title} ===")

    def action(self, who: SimUser, what: str) -> None:
        self.write(f"> {display_name(who)} {what}")

    def note(self, text: str) -> None:
        self.write(f"> {text}")

    # -- what people saw ---------------------------------------------------------

    def catch_up(self) -> None:
        """Print every message of the bot that is new, or reads differently, since last time."""
        bot_id = self.sim.bot_user.id
        messages = sorted(self.sim.state.messages.values(), key=lambda m: m.id)
        for msg in messages:
            if msg.author.id != bot_id or msg.deleted:
                continue
            looks, before = self.looks(msg), self._shown.get(msg.id)
            body = self.body(msg)
            if not body or looks == before:
                continue
            self._shown[msg.id] = looks
            where = self.where(msg, changed=before is not None)
            self.write(where)
            if before is None and body in self._first_shown:
                self.write(f"{INDENT}(the same as {self._first_shown[body]} above)")
                continue
            self._first_shown.setdefault(body, where.replace(", changed]", "]"))
            self.write(body)

    def skip_to_now(self) -> None:
        """Treat everything sent so far as seen (for the set-up the story does not show)."""
        for msg in self.sim.state.messages.values():
            self._shown[msg.id] = self.looks(msg)

    @staticmethod
    def looks(msg: SimMessage) -> str:
        return repr((msg.content, msg.embeds, msg.components, msg.attachments))

    def form(self, who: SimUser, modal: dict[str, Any]) -> None:
        """A form (modal) that opened for `who`: its title and the questions on it."""
        self.write(f"[{display_name(who)}, a form opens] {modal.get('title', '')}")
        for top in modal.get("components") or []:
            fields = [top] if top.get("type") == 18 else top.get("components") or []
            for fld in fields:
                label = fld.get("label")
                if label:
                    self.write(f"{INDENT}{label} ____")

    def where(self, msg: SimMessage, *, changed: bool) -> str:
        suffix = ", changed" if changed else ""
        if msg.ephemeral:
            user_id = int((msg.interaction_metadata or {}).get("user", {}).get("id", 0))
            return f"[{self.name_of(user_id)}, only you can see this{suffix}]"
        channel = self.sim.state.channels[msg.channel_id]
        if channel.is_dm:
            who = display_name(channel.recipient) if channel.recipient else "someone"
            return f"[DM to {who}{suffix}]"
        if channel.is_thread:
            parent = self.sim.state.channels.get(channel.parent_id or 0)
            kind = "private thread" if channel.type == PRIVATE_THREAD else "thread"
            place = f" in #{parent.name}" if parent else ""
            return f'[{kind} "{channel.name}"{place}{suffix}]'
        return f"[#{channel.name}{suffix}]"

    def body(self, msg: SimMessage) -> str:
        lines = self.text_lines(msg.content)
        for embed in msg.embeds:
            lines += self.embed_lines(embed)
        lines += self.component_lines(msg.components)
        lines += [f"(file: {name})" for name in msg.attachments]
        return "\n".join(INDENT + line for line in lines)

    def embed_lines(self, embed: dict[str, Any]) -> list[str]:
        lines: list[str] = []
        if embed.get("title"):
            lines.append(f"| {self.readable(str(embed['title']))}")
        for line in self.text_lines(embed.get("description") or ""):
            lines.append(f"| {line}")
        for fld in embed.get("fields") or []:
            value = self.text_lines(str(fld.get("value") or ""))
            name = self.readable(str(fld.get("name") or ""))
            lines.append(f"| {name}: {value[0] if value else ''}")
            lines += [f"|   {more}" for more in value[1:]]
        footer = (embed.get("footer") or {}).get("text")
        if footer:
            lines.append(f"| ({self.readable(str(footer))})")
        return lines

    def component_lines(self, components: list[dict[str, Any]]) -> list[str]:
        lines = []
        for row in components:
            items = row.get("components") or [row]
            shown = [self.control(item) for item in items]
            shown = [s for s in shown if s]
            if shown:
                lines.append(" ".join(shown))
        return lines

    def control(self, item: dict[str, Any]) -> str:
        off = " (not available)" if item.get("disabled") else ""
        if item.get("type") == 2:
            return f"[{item.get('label') or item.get('emoji', {}).get('name', '?')}{off}]"
        if item.get("type") in (3, 5, 6, 7, 8):
            return f"[menu: {item.get('placeholder') or 'choose'}{off}]"
        if item.get("type") == 10:
            return self.readable(str(item.get("content") or ""))
        return ""

    # -- words ---------------------------------------------------------------------

    def text_lines(self, text: str) -> list[str]:
        return [self.readable(line) for line in text.splitlines() if line.strip()]

    def readable(self, text: str) -> str:
        text = MENTION.sub(self._mention, text)
        text = TIMESTAMP.sub(self._timestamp, text)
        text = text.replace("**", "").replace("__", "")
        return ESCAPED.sub(r"\1", text)

    def name_of(self, user_id: int) -> str:
        user = self.sim.state.users.get(user_id)
        return display_name(user) if user else "someone"

    def _mention(self, found: re.Match[str]) -> str:
        kind, ident = found[1], int(found[2])
        if kind == "#":
            channel = self.sim.state.channels.get(ident)
            return f"#{channel.name}" if channel else "#unknown"
        if kind == "@&":
            for guild in self.sim.guilds:
                if ident in guild.roles:
                    return f"@{guild.roles[ident].name}"
            return "@role"
        return f"@{self.name_of(ident)}"

    def _timestamp(self, found: re.Match[str]) -> str:
        when = datetime.fromtimestamp(int(found[1]), UTC)
        style = found[2] or "f"
        if style == "R":
            return relative(when, self.now())
        local = when.astimezone(self.zone)
        day = f"{local:%A} {local.day} {local:%B %Y}"
        clock = f"{local:%H:%M}"
        return {"d": day, "D": day, "t": clock, "T": clock}.get(style, f"{day} at {clock}")


__all__ = ["Transcript", "display_name", "relative"]
