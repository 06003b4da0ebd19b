"""DynamoDB's typed JSON (AttributeValue) to and from plain Python values, as boto3's
`TypeSerializer`/`TypeDeserializer` do for the values the skill stores, without importing boto3
(botocore alone is enough to talk to DynamoDB; boto3 costs another ~50 ms of cold start).

Numbers: ints (and Decimals) are written as N; floats are refused, as boto3 refuses them. Read
back, an integral N is an int and any other a Decimal, matching what the SDK adapter returns.
Sets (SS, NS) written by other tools read back as lists.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any


def serialize(value: Any) -> dict[str, Any]:
    if value is None:
        return {"NULL": True}
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, int | Decimal):
        return {"N": str(value)}
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, Mapping):
        return {"M": {str(key): serialize(item) for key, item in value.items()}}
    if isinstance(value, list | tuple):
        return {"L": [serialize(item) for item in value]}
    raise TypeError(f"{type(value).__name__} cannot be stored in DynamoDB")


def serialize_map(value: Mapping[str, Any]) -> dict[str, Any]:
    """The AttributeValue map of an item's attributes ({"M": ...} without the wrapper)."""
    return {str(key): serialize(item) for key, item in value.items()}


def deserialize(value: Mapping[str, Any]) -> Any:
    ((kind, raw),) = value.items()
    if kind == "S":
        return raw
    if kind == "N":
        return _number(raw)
    if kind == "BOOL":
        return bool(raw)
    if kind == "NULL":
        return None
    if kind == "M":
        return {key: deserialize(item) for key, item in raw.items()}
    if kind == "L":
        return [deserialize(item) for item in raw]
    if kind == "SS":
        return list(raw)
    if kind == "NS":
        return [_number(item) for item in raw]
    if kind == "B":
        return raw
    raise ValueError(f"unsupported DynamoDB type {kind!r}")


def _number(raw: str) -> int | Decimal:
    number = Decimal(raw)
    exponent = number.as_tuple().exponent
    return int(number) if isinstance(exponent, int) and exponent >= 0 else number
