"""Transformations of the skill manifest (skill/skill.json) made at package time.

skill/skill.json is the source: publishing information, permissions and the event subscriptions,
without any endpoint, icon or document URL. `backcare package` adds those for the package it
writes (see package.py): the endpoints of the deployed stacks (or none, for the first deploy),
the icons, and the privacy policy and terms URLs from skill/publishing.toml.
"""

from __future__ import annotations

import copy
from typing import Any

# Alexa's three regions and the AWS region whose Lambda endpoint serves each (ask-cli uses the same).
AWS_REGION_OF = {"NA": "us-east-1", "EU": "eu-west-1", "FE": "us-west-2"}
ALEXA_REGION_OF = {aws: alexa for alexa, aws in AWS_REGION_OF.items()}
DEFAULT_ALEXA_REGION = "NA"
NAME_FREE_INTERFACE = {"type": "CAN_FULFILL_INTENT_REQUEST"}


def body(manifest: dict[str, Any]) -> dict[str, Any]:
    return manifest["manifest"]


def locales(manifest: dict[str, Any]) -> list[str]:
    return sorted(body(manifest)["publishingInformation"]["locales"])


def without_endpoints(manifest: dict[str, Any]) -> dict[str, Any]:
    """For the first deploy: no endpoint anywhere and no events (SMAPI requires an events endpoint,
    and rejects an endpoint whose function does not trust the skill id yet)."""
    manifest = copy.deepcopy(manifest)
    custom = body(manifest)["apis"]["custom"]
    custom.pop("endpoint", None)
    custom.pop("regions", None)
    body(manifest).pop("events", None)
    return manifest


def with_endpoints(manifest: dict[str, Any], endpoints: dict[str, str]) -> dict[str, Any]:
    """Set the skill's endpoints: `endpoints` maps Alexa regions (NA, EU, FE) to Lambda ARNs, or
    "default" to one ARN for every region. The default endpoint is NA's (else the first given);
    with more than one region, each gets its regional endpoint, for requests and for skill events
    alike, so a user's SkillDisabled event reaches the region that holds their record."""
    if not endpoints:
        raise ValueError("no endpoint given")
    unknown = set(endpoints) - {*AWS_REGION_OF, "default"}
    if unknown:
        raise ValueError(f"unknown Alexa regions {sorted(unknown)} (use NA, EU, FE)")
    manifest = copy.deepcopy(manifest)
    regional = {code: arn for code, arn in endpoints.items() if code != "default"}
    default = endpoints.get("default") or regional.get(DEFAULT_ALEXA_REGION) or regional[sorted(regional)[0]]
    # Regions without an endpoint of their own use the default one.
    regions = {code: {"endpoint": {"uri": arn}} for code, arn in sorted(regional.items())}
    needs_regions = any(arn != default for arn in regional.values())
    for section in (body(manifest)["apis"]["custom"], body(manifest).get("events")):
        if section is None:
            continue
        section["endpoint"] = {"uri": default}
        section.pop("regions", None)
        if needs_regions:
            section["regions"] = copy.deepcopy(regions)
    return manifest


def with_documents(manifest: dict[str, Any], privacy_policy_url: str, terms_of_use_url: str) -> dict[str, Any]:
    """The privacy policy and terms of use URLs for every locale (a URL left empty is left out)."""
    manifest = copy.deepcopy(manifest)
    compliance = body(manifest)["privacyAndCompliance"]
    compliance.pop("locales", None)
    urls = {"privacyPolicyUrl": privacy_policy_url, "termsOfUseUrl": terms_of_use_url}
    urls = {key: value for key, value in urls.items() if value}
    if urls:
        compliance["locales"] = {locale: dict(urls) for locale in locales(manifest)}
    return manifest


def with_icons(manifest: dict[str, Any], small_uri: str, large_uri: str) -> dict[str, Any]:
    manifest = copy.deepcopy(manifest)
    for details in body(manifest)["publishingInformation"]["locales"].values():
        details["smallIconUri"], details["largeIconUri"] = small_uri, large_uri
    return manifest


def with_name_free(manifest: dict[str, Any]) -> dict[str, Any]:
    """Declare CanFulfillIntentRequest (name-free interaction): Alexa may then ask the skill whether
    it can handle a request said without its name. Only once Amazon has made the skill eligible."""
    manifest = copy.deepcopy(manifest)
    interfaces = body(manifest)["apis"]["custom"].setdefault("interfaces", [])
    if NAME_FREE_INTERFACE not in interfaces:
        interfaces.append(dict(NAME_FREE_INTERFACE))
    return manifest
