"""Request shapes of the document and signature API (checked again in the domain)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from domain.workflow.items import SIGNER_MAX_LENGTH


class SignaturePosition(BaseModel):
    lat: float = Field(ge=-90, le=90)
    lng: float = Field(ge=-180, le=180)
    accuracy: float | None = Field(None, ge=0, le=100_000)


class SignatureConsent(BaseModel):
    """The customer's consent to sign electronically, sent with a signature (see
    domain/documents/consent.py): the consent text's version, when it was accepted (ISO 8601 with
    its offset), the signer's typed full name, and the phone's position when it gave one."""

    version: str = Field(min_length=1, max_length=40)
    accepted_at: str = Field(min_length=1, max_length=40)
    name: str | None = Field(None, max_length=SIGNER_MAX_LENGTH)
    position: SignaturePosition | None = None


def consent_of(consent: SignatureConsent | None) -> dict[str, Any] | None:
    """The consent as the domain reads it (what was left out stays out)."""
    return consent.model_dump(exclude_none=True) if consent is not None else None
