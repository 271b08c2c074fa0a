"""What each enum value of the format means: for editor completion (and the schema's enum descriptions)."""

from __future__ import annotations

ENUM_DOCS: dict[str, dict[str, str]] = {
    "kind": {
        "peripheral": "Seen in public, outside the company's own channels: a referral, word of mouth, a review.",
        "external": "A channel the company runs for customers: website, store, app, social account.",
        "internal": "Customer service and the internal processes the customer reaches.",
    },
    "lane": {
        "frontstage": "Seen by the customer.",
        "backstage": "Internal work behind what the customer sees.",
        "support": "Systems and partners that make it possible.",
    },
    "outcome": {
        "converted": "The customer did what the journey is for (bought, signed up, activated).",
        "retained": "The customer stayed (renewed, kept the subscription).",
        "advocate": "The customer recommends the company to others.",
        "churned": "The customer left after having converted.",
        "dropped": "The customer left before converting.",
    },
    "status": {
        "draft": "Being mapped; not yet agreed.",
        "active": "The agreed map of the journey as it runs.",
        "retired": "Kept for the record; the journey no longer runs.",
    },
    "state": {
        "current": "The journey as customers live it today.",
        "future": "The journey as it should become.",
    },
    "direction": {
        "up": "Higher is better.",
        "down": "Lower is better.",
    },
}
