"""Consent to sign electronically (ESIGN / UETA), and the evidence a customer signature keeps.

Before the pad shows, the phone shows `CONSENT_TEXT` and `PAPER_COPY_NOTE`; the signer types their
full name and taps Accept. The phone then sends, with the signature,
`consent = {"version": CONSENT_VERSION, "accepted_at": ISO time with offset, "name": typed name,
"position": {"lat", "lng", "accuracy"} (optional)}`.

The server refuses a signature without it (every path: page, API, outbox) and keeps, in the
signature record's `data`: the signer's typed name, and under `evidence` the consent's version and
SHA-256, when it was accepted, when the signature was recorded, the device (user agent) and IP the
server saw, and the position when the phone gave one. Device and IP are never taken from the
phone's words: they are what the request carried.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any

from domain.errors import ValidationFailed
from domain.timewindow import local_time
from domain.workflow.items import MAX_CLOCK_SKEW, SIGNER_MAX_LENGTH

CONSENT_VERSION = "esign-2026-12"
CONSENT_TITLE = "Consent to sign electronically"
CONSENT_TEXT = (
    "I agree to sign this moving document electronically. My electronic signature has the same "
    "legal effect as a signature on paper. I have read the document, and I may withdraw this "
    "consent at any time before I sign by asking the crew for paper instead."
)
PAPER_COPY_NOTE = "A paper copy of this document is available on request, at no charge."
#: What the signer agreed to, hashed: a changed text is a new version with another hash.
CONSENT_SHA256 = hashlib.sha256(f"{CONSENT_VERSION}\n{CONSENT_TEXT}\n{PAPER_COPY_NOTE}".encode()).hexdigest()
#: What the phone shows before a signature (the offline view reads it from the crew API).
CONSENT_SCREEN = {"version": CONSENT_VERSION, "title": CONSENT_TITLE, "text": CONSENT_TEXT,
                  "paper_copy": PAPER_COPY_NOTE}
#: A consent stays good for signing this long after it was accepted (the signer signs right away).
CONSENT_LIFETIME = timedelta(hours=2)
MAX_DEVICE_LENGTH = 300
NO_CONSENT = ("the customer must first accept the consent to sign electronically "
              "(and type their full name): the signature was not recorded")


def _number(value: Any, low: float, high: float) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        return None
    return float(value)


def _position(raw: Any) -> dict[str, float] | None:
    if raw is None:
        return None
    lat = _number(raw.get("lat"), -90, 90) if isinstance(raw, dict) else None
    lng = _number(raw.get("lng"), -180, 180) if isinstance(raw, dict) else None
    if lat is None or lng is None:
        raise ValidationFailed("position: lat must be within ±90 and lng within ±180")
    position = {"lat": lat, "lng": lng}
    accuracy = _number(raw.get("accuracy"), 0, 100_000)
    if accuracy is not None:
        position["accuracy"] = accuracy
    return position


def _accepted_at(raw: Any, signed_at: datetime) -> datetime:
    try:
        at = datetime.fromisoformat(raw) if isinstance(raw, str) else None
    except ValueError:
        at = None
    if at is None or at.tzinfo is None:
        raise ValidationFailed("consent: accepted_at must be a time with its UTC offset")
    if at > signed_at + MAX_CLOCK_SKEW or at < signed_at - CONSENT_LIFETIME:
        raise ValidationFailed("consent: it was accepted too long before the signature: ask the customer again")
    return at.astimezone(signed_at.tzinfo)


def position_words(position: Any) -> str | None:
    """"43.65320, -79.38320 (within 8 m)", or None when the phone gave no position."""
    if not isinstance(position, dict) or position.get("lat") is None:
        return None
    text = f"{position['lat']:.5f}, {position['lng']:.5f}"
    return text + (f" (within {position['accuracy']:.0f} m)" if position.get("accuracy") is not None else "")


def evidence_words(data: dict[str, Any], timezone: str) -> str:
    """A signature record in words: "Signed by Ada Lovelace; consent accepted 09:13; device …; IP …"."""
    evidence = data.get("evidence") if isinstance(data.get("evidence"), dict) else None
    parts = [f"Signed by {data['signer']}" if data.get("signer") else "Signed"]
    if evidence is None:
        return parts[0] + "; no consent recorded"
    accepted = local_time(datetime.fromisoformat(evidence["accepted_at"]), timezone)
    parts.append(f"consent to sign electronically accepted {accepted:%H:%M}" if accepted else "consent accepted")
    parts += [f"device {evidence['device']}" if evidence.get("device") else "",
              f"IP {evidence['ip']}" if evidence.get("ip") else ""]
    position = position_words(evidence.get("position"))
    parts.append(f"position {position}" if position else "")
    return "; ".join(p for p in parts if p)


def signature_evidence(consent: Any, *, signed_at: datetime, device: str | None, ip: str | None
                       ) -> dict[str, Any]:
    """The `data` a signature record keeps (`signer` and `evidence`), or `ValidationFailed` when the
    consent is missing, of another version, or without the signer's typed name."""
    if not isinstance(consent, dict) or consent.get("version") is None:
        raise ValidationFailed(NO_CONSENT)
    if consent.get("version") != CONSENT_VERSION:
        raise ValidationFailed("consent: that consent text is no longer the current one: reload the page "
                               "and ask the customer to accept it again")
    name = consent.get("name")
    name = name.strip() if isinstance(name, str) else ""
    if not name or len(name) > SIGNER_MAX_LENGTH:
        raise ValidationFailed(f"consent: type the signer's full name (at most {SIGNER_MAX_LENGTH} characters)")
    evidence: dict[str, Any] = {
        "consent_version": CONSENT_VERSION,
        "consent_sha256": CONSENT_SHA256,
        "accepted_at": _accepted_at(consent.get("accepted_at"), signed_at).isoformat(),
        "signed_at": signed_at.isoformat(),
        "device": (device or "")[:MAX_DEVICE_LENGTH] or None,
        "ip": ip,
    }
    position = _position(consent.get("position"))
    if position is not None:
        evidence["position"] = position
    return {"signer": name, "evidence": evidence}
