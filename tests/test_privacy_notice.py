"""The privacy notice: the full notice covers every point UK GDPR Article 13 asks for, with the
values from config/privacy.toml, and both it and the consent card read at age 11 or less in
sentences of 20 words at most."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import textstat

from bot.privacy import PrivacyConfig, Retention, load_privacy
from bot.services.consent import load_full_notice, load_notice

CONFIG = Path(__file__).resolve().parents[1] / "config"

FILLED = PrivacyConfig(
    controller_name="University of Somewhere",
    controller_contact="community@somewhere.ac.uk",
    dpo_contact="dpo@somewhere.ac.uk",
    retention=Retention(after_leaving_days=45, inactive_months=18, no_answer_days=21),
)

# Each point Article 13 asks for, and words that must say it in the rendered notice.
ARTICLE_13 = {
    "controller name (13(1)(a))": ["University of Somewhere"],
    "controller contact (13(1)(a))": ["community@somewhere.ac.uk"],
    "data protection officer (13(1)(b))": ["Data protection officer", "dpo@somewhere.ac.uk"],
    "purposes (13(1)(c))": ["Why we keep it", "to offer you things to take part in"],
    "lawful basis: consent (13(1)(c), 6(1)(a))": ["because you agree", "consent"],
    "explicit consent for health-revealing data (9(2)(a))": [
        "What helps you take part, and what you write in feedback",
        "clear consent",
    ],
    "recipients (13(1)(e))": ["Discord carries every message", "our host"],
    "transfer outside the UK and safeguards (13(1)(f))": [
        "company in the United States",
        "legal terms approved in the UK",
    ],
    "retention after leaving (13(2)(a))": ["after 45 days"],
    "retention when inactive (13(2)(a))": ["for 18 months"],
    "retention with no answer (13(2)(a))": ["in 21 days"],
    "right of access (13(2)(b))": ["ask to see everything", "/mydata export"],
    "right to rectification (13(2)(b))": ["fix your details", "/profile"],
    "right to erasure (13(2)(b))": ["delete it all", "/mydata delete"],
    "right to restriction (13(2)(b))": ["stop using your data for a while"],
    "right to object (13(2)(b))": ["object to how we use it"],
    "right to data portability (13(2)(b))": ["a file you can take to another service"],
    "withdrawing consent (13(2)(c))": ["take back your consent at any time"],
    "complaint to the ICO (13(2)(d))": ["complain to the Information Commissioner's Office"],
    "what exactly is stored": ["Your Discord id"],
}


def notice() -> str:
    return load_full_notice(CONFIG, FILLED)


def card() -> str:
    return load_notice(CONFIG).text


def plain(text: str) -> str:
    """The words as read: no markdown marks, no command slashes."""
    return re.sub(r"[*`]", "", text).replace("/mydata", "mydata")


def sentences(text: str) -> list[str]:
    found = []
    for paragraph in plain(text).split("\n"):
        found += [s for s in re.split(r"(?<=[.!?])\s+", paragraph.strip()) if s]
    return found


@pytest.mark.parametrize("point", list(ARTICLE_13))
def test_the_full_notice_says_every_article_13_point(point: str) -> None:
    text = notice()
    missing = [words for words in ARTICLE_13[point] if words not in text]
    assert not missing, f"{point}: the notice does not say {missing}"


def test_the_full_notice_has_no_placeholder_gaps_once_privacy_toml_is_filled_in() -> None:
    assert "{" not in notice()
    assert "FILL IN" not in notice()


def test_the_shipped_privacy_toml_still_shows_its_placeholders_in_the_notice() -> None:
    assert "FILL IN" in load_full_notice(CONFIG, load_privacy(CONFIG))


@pytest.mark.parametrize(("name", "text"), [("full notice", notice), ("consent card", card)])
def test_it_reads_at_age_eleven_or_less(name: str, text: object) -> None:
    assert callable(text)
    grade = textstat.flesch_kincaid_grade(plain(text()))
    assert grade + 5 <= 11, f"the {name} reads at age {grade + 5}"


@pytest.mark.parametrize(("name", "text"), [("full notice", notice), ("consent card", card)])
def test_its_sentences_have_twenty_words_at_most(name: str, text: object) -> None:
    assert callable(text)
    long = [s for s in sentences(text()) if len(s.split()) > 20]
    assert not long, f"the {name} has long sentences: {long}"


def test_the_card_says_what_is_stored_exactly_and_points_to_leaving_and_erasing() -> None:
    text = card()
    assert "your Discord id" in text
    assert "Discord name" not in text
    assert "/mydata delete" in text
    assert "at any time" in text
    assert "Read more" in text
