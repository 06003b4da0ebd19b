"""The rules a skill package is checked against before `backcare package` writes it.

Two kinds:
- `schema_problems`: what SMAPI would reject. The manifest is read into Amazon's own SMAPI model
  (the ask-smapi-model package: field names, types, enumerations such as event names, permissions
  and countries) and written back: a field the model drops is a misspelt or misplaced key. On top,
  the limits of SMAPI's schema (name at least 2 characters, summary 160, description 4000, at most
  3 example phrases of 200, 30 keywords of 150, testing instructions 4000), events need an
  endpoint, and an endpoint is a Lambda ARN in the AWS region its Alexa region uses.
- `certification_problems`: what Amazon's certification checks (docs/publishing.md): the health
  disclaimer in each description, example phrases taken from the sample utterances with the first
  one "Alexa, open <invocation name>", real privacy policy and terms URLs (HTTPS, never an example
  domain), real icons at 108 and 512 pixels, and endpoints in every package for submission.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from backcare_tools.icons import png_size
from backcare_tools.manifest import AWS_REGION_OF, NAME_FREE_INTERFACE, body

LIMITS = {"summary": 160, "description": 4000}
MAX_EXAMPLE_PHRASES, MAX_PHRASE = 3, 200
MAX_KEYWORDS, MAX_KEYWORD = 30, 150
MAX_TESTING_INSTRUCTIONS = 4000
LAMBDA_ARN = re.compile(r"arn:aws:lambda:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):function:[\w-]+(:[\w-]+)?")
PLACEHOLDER_ACCOUNT = "000000000000"
# RFC 2606 example domains and reserved top-level domains: never a published document.
PLACEHOLDER_HOSTS = ("example.com", "example.org", "example.net", "example", "test", "invalid", "localhost",
                     "127.0.0.1")
DISCLAIMER = "not a substitute for professional medical advice"
LAUNCH_WORDS = ("open", "start", "launch", "begin", "talk to", "ask", "tell", "load", "run", "use")
CONNECTORS = ("to", "for", "about", "and", "that", "if", "whether", "what", "how")
ICON_SIZES = {"smallIconUri": 108, "largeIconUri": 512}


# -- schema ------------------------------------------------------------------------------------


def _dropped(original: Any, written: Any, path: str = "") -> list[str]:
    if isinstance(original, dict) and isinstance(written, dict):
        found = []
        for key, value in original.items():
            if key not in written:
                found.append(f"{path}/{key}")
            else:
                found += _dropped(value, written[key], f"{path}/{key}")
        return found
    if isinstance(original, list) and isinstance(written, list):
        pairs = enumerate(zip(original, written, strict=False))
        return [p for i, (a, b) in pairs for p in _dropped(a, b, f"{path}[{i}]")]
    return [] if original == written else [f"{path} ({original!r} read as {written!r})"]


def smapi_model_problems(manifest: dict[str, Any]) -> list[str]:
    """Read the manifest into ask-smapi-model's SkillManifestEnvelope and back."""
    from ask_sdk_model_runtime.exceptions import SerializationException
    from ask_sdk_model_runtime.serializer import DefaultSerializer
    from ask_smapi_model.v1.skill.manifest.interface_type import InterfaceType
    from ask_smapi_model.v1.skill.manifest.skill_manifest_envelope import SkillManifestEnvelope

    manifest = copy.deepcopy(manifest)
    problems = []
    # The Python model's Interface map lacks some SMAPI interface types (CAN_FULFILL_INTENT_REQUEST
    # among them): check those against the InterfaceType enumeration and take them out.
    custom = body(manifest).get("apis", {}).get("custom", {})
    known_types = {item.value for item in InterfaceType}
    kept = []
    for interface in custom.get("interfaces", []):
        if interface == NAME_FREE_INTERFACE:
            continue
        if interface.get("type") not in known_types:
            problems.append(f"apis.custom.interfaces: unknown interface type {interface.get('type')!r}")
            continue
        kept.append(interface)
    if "interfaces" in custom:
        custom["interfaces"] = kept
    serializer = DefaultSerializer()
    try:
        model = serializer.deserialize(json.dumps(manifest), SkillManifestEnvelope)
    except SerializationException as error:
        return [*problems, f"the SMAPI manifest model rejects it: {error}"]
    written = serializer.serialize(model)
    problems += [f"not in the SMAPI manifest model: {path}" for path in _dropped(manifest, written)]
    return problems


def _endpoint_problems(where: str, endpoint: Any, aws_region: str | None) -> list[str]:
    uri = (endpoint or {}).get("uri", "") if isinstance(endpoint, dict) else ""
    match = LAMBDA_ARN.fullmatch(uri)
    if not match:
        return [f"{where}: {uri!r} is not a Lambda function ARN"]
    if aws_region and match["region"] != aws_region:
        return [f"{where}: the function is in {match['region']}, this Alexa region's endpoint belongs in {aws_region}"]
    return []


def schema_problems(manifest: dict[str, Any]) -> list[str]:
    problems = smapi_model_problems(manifest)
    info = body(manifest)["publishingInformation"]
    for locale, details in info["locales"].items():
        if len(details.get("name", "")) < 2:
            problems.append(f"{locale}: the name must have at least 2 characters")
        for field, limit in LIMITS.items():
            if len(details.get(field, "")) > limit:
                problems.append(f"{locale}: {field} is {len(details[field])} characters (at most {limit})")
        phrases = details.get("examplePhrases", [])
        if not 1 <= len(phrases) <= MAX_EXAMPLE_PHRASES:
            problems.append(f"{locale}: {len(phrases)} example phrases (1 to {MAX_EXAMPLE_PHRASES})")
        long = [p for p in phrases if len(p) > MAX_PHRASE]
        problems += [f"{locale}: example phrase longer than {MAX_PHRASE}: {p!r}" for p in long]
        keywords = details.get("keywords", [])
        if len(keywords) > MAX_KEYWORDS or any(len(k) > MAX_KEYWORD for k in keywords):
            problems.append(f"{locale}: at most {MAX_KEYWORDS} keywords of at most {MAX_KEYWORD} characters")
    if len(info.get("testingInstructions", "")) > MAX_TESTING_INSTRUCTIONS:
        problems.append(f"testingInstructions is longer than {MAX_TESTING_INSTRUCTIONS} characters")
    custom = body(manifest)["apis"]["custom"]
    if "endpoint" in custom:
        problems += _endpoint_problems("apis.custom.endpoint", custom["endpoint"], None)
    for code, region in custom.get("regions", {}).items():
        problems += _endpoint_problems(f"apis.custom.regions.{code}", region.get("endpoint"), AWS_REGION_OF.get(code))
    events = body(manifest).get("events")
    if events is not None:
        if "endpoint" not in events:
            problems.append("events has no endpoint (SMAPI requires one; the first deploy leaves events out)")
        else:
            problems += _endpoint_problems("events.endpoint", events["endpoint"], None)
        for code, region in events.get("regions", {}).items():
            problems += _endpoint_problems(f"events.regions.{code}", region.get("endpoint"), AWS_REGION_OF.get(code))
    return problems


# -- certification -----------------------------------------------------------------------------


def _words(text: str) -> str:
    return " ".join(re.sub(r"[^\w' ]+", " ", text.lower()).split())


def _utterance_of(phrase: str, invocation: str) -> str | None:
    """The utterance part of an example phrase; "" for a plain launch; None if it names no skill."""
    words = _words(phrase)
    if not words.startswith("alexa "):
        return words  # said inside an open session: the whole phrase is an utterance
    rest = words.removeprefix("alexa ")
    for launch in LAUNCH_WORDS:
        if rest.startswith(f"{launch} {invocation}"):
            tail = rest.removeprefix(f"{launch} {invocation}").strip()
            for connector in CONNECTORS:
                if tail.startswith(f"{connector} "):
                    return tail.removeprefix(f"{connector} ").strip()
            return tail
    return None


def example_phrase_problems(locale: str, phrases: list[str], model: dict[str, Any]) -> list[str]:
    language = model["interactionModel"]["languageModel"]
    invocation = _words(language["invocationName"])
    samples = {_words(s) for intent in language["intents"] for s in intent.get("samples", [])}
    problems = []
    if not phrases or _words(phrases[0]) != f"alexa open {invocation}":
        problems.append(f"{locale}: the first example phrase should be \"Alexa, open {invocation}\" "
                        "(under Alexa+ a one-shot may not reach a skill in development; opening it does)")
    for phrase in phrases:
        utterance = _utterance_of(phrase, invocation)
        if utterance is None:
            problems.append(f"{locale}: {phrase!r} starts with Alexa but does not name {invocation!r}")
        elif utterance and utterance not in samples:
            problems.append(f"{locale}: {phrase!r}: {utterance!r} is not a sample utterance of the {locale} model")
    return problems


def _url_problem(what: str, url: str) -> str | None:
    if not url:
        return f"{what} is not set"
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme != "https" or not host:
        return f"{what} must be an https:// URL, not {url!r}"
    if any(host == p or host.endswith("." + p) for p in PLACEHOLDER_HOSTS):
        return f"{what} is a placeholder ({url}): publish the document and set its real URL"
    return None


def _icon_problem(locale: str, field: str, uri: str, package: Path) -> str | None:
    if not uri:
        return f"{locale}: {field} is not set"
    if uri.startswith("file://"):
        path = package / uri.removeprefix("file://")
        if not path.is_file():
            return f"{locale}: {field} {uri} is not in the package"
        try:
            size = png_size(path.read_bytes())
        except ValueError:
            return f"{locale}: {field} {uri} is not a PNG"
        wanted = ICON_SIZES[field]
        return None if size == (wanted, wanted) else f"{locale}: {field} is {size[0]}x{size[1]}, not {wanted}x{wanted}"
    return _url_problem(f"{locale}: {field}", uri)


def certification_problems(manifest: dict[str, Any], models: dict[str, dict[str, Any]], package: Path) -> list[str]:
    problems = []
    info = body(manifest)["publishingInformation"]
    for locale, details in info["locales"].items():
        if DISCLAIMER not in details.get("description", "").lower():
            problems.append(f"{locale}: the description lacks the health disclaimer ({DISCLAIMER!r})")
        if locale in models:
            problems += example_phrase_problems(locale, details.get("examplePhrases", []), models[locale])
        for field in ICON_SIZES:
            problem = _icon_problem(locale, field, details.get(field, ""), package)
            if problem:
                problems.append(problem)
    if not info.get("testingInstructions", "").strip():
        problems.append("testingInstructions is empty")
    documents = body(manifest)["privacyAndCompliance"].get("locales", {})
    for locale in info["locales"]:
        for field in ("privacyPolicyUrl", "termsOfUseUrl"):
            problem = _url_problem(f"{locale}: {field}", documents.get(locale, {}).get(field, ""))
            if problem:
                problems.append(problem)
    custom = body(manifest)["apis"]["custom"]
    uris = [custom.get("endpoint", {}).get("uri", "")]
    uris += [region["endpoint"]["uri"] for region in custom.get("regions", {}).values()]
    if not custom.get("endpoint"):
        problems.append("the skill has no endpoint (a first-deploy package cannot be submitted)")
    if any(f":{PLACEHOLDER_ACCOUNT}:" in uri for uri in uris):
        problems.append(f"an endpoint uses the placeholder account {PLACEHOLDER_ACCOUNT}")
    if "events" not in body(manifest):
        problems.append("no skill events: SkillDisabled must reach the skill so disabling it deletes the user's data")
    return problems
