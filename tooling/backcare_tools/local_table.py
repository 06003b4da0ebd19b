"""`backcare dynamodb create-table`: create the skill's table on a LOCAL DynamoDB-compatible server
(moto_server, dynalite, DynamoDB Local). In AWS the table comes from template.yaml; this command
refuses to run without an endpoint URL, and refuses AWS's own endpoints.

    backcare dynamodb create-table --endpoint-url http://127.0.0.1:5005 --table backcare-users --wait 30

`--wait SECONDS` keeps trying to reach the server that long (one just started in the background
needs a moment before it listens).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from urllib.parse import urlsplit

# Mirrors template.yaml: partition key `id` (string), on-demand billing; the adapter's defaults.
KEY_SCHEMA = [{"AttributeName": "id", "KeyType": "HASH"}]
ATTRIBUTE_DEFINITIONS = [{"AttributeName": "id", "AttributeType": "S"}]
LOCAL_CREDENTIALS = {"aws_access_key_id": "local", "aws_secret_access_key": "local"}


class NotLocalError(ValueError):
    """The endpoint is missing or is AWS itself."""


def check_local_endpoint(endpoint_url: str | None) -> str:
    if not endpoint_url:
        raise NotLocalError("an --endpoint-url of a local DynamoDB-compatible server is required")
    parts = urlsplit(endpoint_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise NotLocalError(f"not an http(s) URL: {endpoint_url!r}")
    if parts.hostname.endswith((".amazonaws.com", ".amazonaws.com.cn", ".api.aws")):
        raise NotLocalError("for local servers only; in AWS the table comes from template.yaml")
    return endpoint_url


def local_client(endpoint_url: str, region: str = "us-east-1", timeout: float = 5.0):
    """A DynamoDB client for a local server, with dummy credentials if none are configured."""
    import boto3
    from botocore.config import Config as BotocoreConfig

    # Use the environment's credentials when set (DynamoDB Local keeps one database per access
    # key); otherwise dummy ones, without boto3's slow search of profiles and instance metadata.
    has_credentials = os.environ.get("AWS_ACCESS_KEY_ID") or os.environ.get("AWS_PROFILE")
    credentials = {} if has_credentials else LOCAL_CREDENTIALS
    return boto3.session.Session().client(
        "dynamodb",
        region_name=region,
        endpoint_url=check_local_endpoint(endpoint_url),
        config=BotocoreConfig(
            connect_timeout=timeout, read_timeout=timeout, retries={"total_max_attempts": 2}
        ),
        **credentials,
    )


def create_table(endpoint_url: str, table_name: str, *, region: str = "us-east-1", wait: float = 0.0) -> bool:
    """Create the table and wait until it is active. False if it already existed. `wait`: seconds
    to keep retrying while the server does not accept connections yet."""
    from botocore.exceptions import EndpointConnectionError

    client = local_client(endpoint_url, region)
    give_up_at = time.monotonic() + wait
    while True:
        try:
            client.create_table(
                TableName=table_name,
                KeySchema=KEY_SCHEMA,
                AttributeDefinitions=ATTRIBUTE_DEFINITIONS,
                BillingMode="PAY_PER_REQUEST",
            )
            break
        except client.exceptions.ResourceInUseException:
            return False
        except EndpointConnectionError:
            if time.monotonic() >= give_up_at:
                raise
            time.sleep(0.2)
    client.get_waiter("table_exists").wait(TableName=table_name, WaiterConfig={"Delay": 1, "MaxAttempts": 30})
    return True


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="backcare dynamodb", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create-table", help="create the skill's table on a local server")
    create.add_argument("--endpoint-url", required=True, help="e.g. http://127.0.0.1:5000")
    create.add_argument("--table", required=True, help="table name (TABLE_NAME)")
    create.add_argument("--region", default="us-east-1")
    create.add_argument("--wait", type=float, default=0.0, metavar="SECONDS",
                        help="keep trying this long while the server is not listening yet (default 0)")
    args = parser.parse_args(argv)
    try:
        check_local_endpoint(args.endpoint_url)
        created = create_table(args.endpoint_url, args.table, region=args.region, wait=args.wait)
    except NotLocalError as error:
        print(f"backcare dynamodb: {error}", file=sys.stderr)
        return 2
    except Exception as error:  # connection refused, bad credentials: say it plainly
        print(f"backcare dynamodb: could not create table {args.table!r}: {error}", file=sys.stderr)
        return 1
    print(f"table {args.table!r} {'created' if created else 'already exists'} at {args.endpoint_url}")
    return 0
