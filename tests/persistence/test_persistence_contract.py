"""One contract, two stores: the embedded SQLite adapter and the DynamoDB adapter (against a real
moto server over HTTP) behave the same for the SDK's get, save and delete and for the versioned
operations (read, compare-and-set write, delete). Plus what is specific to each: the SQLite
file's permissions and laziness, the DynamoDB item in the SDK adapter's format, make_adapter's
choices, botocore never imported by a process that does not use DynamoDB, and the local
create-table command."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import textwrap

import pytest
from ask_sdk_core.exceptions import PersistenceException
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model import RequestEnvelope

from backcare.config import Config
from backcare.persistence import SQLITE_FILE_NAME, make_adapter
from backcare.persistence.dynamodb import LazyDynamoDbAdapter
from backcare.persistence.records import VersionConflict
from backcare.persistence.sqlite import SqlitePersistenceAdapter
from backcare_tools import envelopes
from support import ROOT
from support.dynamodb import (  # the *_fixture names register fixtures
    REGION,
    TABLE_NAME,
    dynamodb_adapter,
    dynamodb_table_fixture,  # noqa: F401
    free_port,
    handler_input_for,
    moto_server_fixture,  # noqa: F401
    new_user_id,
)

NESTED = {
    "schema": 1,
    "disclaimer_heard": True,
    "visits": 3,
    "last_tip": {"topic": "posture", "index": 2},
    "reminders": [
        {"kind": "posture", "alert_token": "token-1",
         "schedule": {"interval_minutes": 60, "times": ["09:00", "10:00"], "days": ["MO", "TU"]}},
        {"kind": "stretch", "alert_token": "token-2", "schedule": {}},
    ],
    "prefs": {"note": "", "flags": [True, False], "nothing": None},
}


@pytest.fixture(params=["sqlite", "dynamodb"])
def adapter(request, tmp_path):
    if request.param == "sqlite":
        return make_adapter(Config(persistence="sqlite", state_dir=tmp_path / "state"))
    server = request.getfixturevalue("moto_server")
    request.getfixturevalue("dynamodb_table")
    return dynamodb_adapter(server.url)


def envelope(user_id: str) -> RequestEnvelope:
    return handler_input_for(None, user_id=user_id).request_envelope


# -- the contract ---------------------------------------------------------------------------------


def test_get_for_a_user_never_saved_returns_an_empty_dict(adapter):
    assert adapter.get_attributes(envelope(new_user_id())) == {}, "an unknown user must read as {}"


def test_nested_attributes_round_trip(adapter):
    user = envelope(new_user_id())
    adapter.save_attributes(user, NESTED)
    got = adapter.get_attributes(user)
    assert got == NESTED, f"nested attributes changed on the way through the store: {got!r}"
    assert got["disclaimer_heard"] is True, "a bool must come back as a bool"


def test_save_overwrites_the_whole_record(adapter):
    user = envelope(new_user_id())
    adapter.save_attributes(user, {"visits": 1, "old": "gone soon"})
    adapter.save_attributes(user, {"visits": 2})
    assert adapter.get_attributes(user) == {"visits": 2}, "a save must replace, not merge, the record"


def test_delete_removes_the_record(adapter):
    user = envelope(new_user_id())
    adapter.save_attributes(user, NESTED)
    adapter.delete_attributes(user)
    assert adapter.get_attributes(user) == {}, "after delete the user must read as new"


def test_deleting_a_missing_record_is_not_an_error(adapter):
    user = envelope(new_user_id())
    adapter.delete_attributes(user)
    assert adapter.get_attributes(user) == {}, "delete of nothing must leave nothing"


def test_two_users_are_isolated(adapter):
    alice, bob = envelope(new_user_id()), envelope(new_user_id())
    adapter.save_attributes(alice, {"visits": 5})
    adapter.save_attributes(bob, {"visits": 7})
    adapter.delete_attributes(bob)
    assert adapter.get_attributes(alice) == {"visits": 5}, "one user's save or delete touched another user"
    assert adapter.get_attributes(bob) == {}, "bob's record survived its delete"


def test_unicode_survives_round_trip(adapter):
    user = envelope(new_user_id())
    text = {"topic": "café ☕ — naïve 背中 😊", "index": 0}
    adapter.save_attributes(user, {"last_tip": text})
    assert adapter.get_attributes(user) == {"last_tip": text}, "unicode text was altered by the store"


def test_request_without_a_user_id_is_a_persistence_error(adapter):
    body = envelopes.Session().envelope(envelopes.launch_request())
    del body["context"]["System"]["user"]
    request_envelope = DefaultSerializer().deserialize(json.dumps(body), RequestEnvelope)
    with pytest.raises(PersistenceException):
        adapter.get_attributes(request_envelope)


# -- the versioned contract -----------------------------------------------------------------------


def test_read_record_of_a_user_never_saved_has_no_version(adapter):
    record = adapter.read_record(envelope(new_user_id()))
    assert (record.attributes, record.version, record.exists) == ({}, None, False), f"got {record!r}"


def test_write_record_is_a_compare_and_set_on_the_version(adapter):
    user = envelope(new_user_id())
    assert adapter.write_record(user, {"visits": 1}, expected=None) == 1, "the first write makes version 1"
    with pytest.raises(VersionConflict):
        adapter.write_record(user, {"visits": 99}, expected=None)  # someone else created it first
    assert adapter.write_record(user, {"visits": 2}, expected=1) == 2, "a write on the read version succeeds"
    with pytest.raises(VersionConflict):
        adapter.write_record(user, {"visits": 99}, expected=1)  # a stale version
    record = adapter.read_record(user)
    assert (record.attributes, record.version) == ({"visits": 2}, 2), f"a refused write changed the record: {record}"


def test_a_write_expecting_a_record_fails_once_it_was_deleted(adapter):
    user = envelope(new_user_id())
    adapter.write_record(user, {"visits": 1}, expected=None)
    assert adapter.delete_record(user) is True, "delete must say a record was there"
    with pytest.raises(VersionConflict):
        adapter.write_record(user, {"visits": 2}, expected=1)
    assert adapter.read_record(user).exists is False, "a write after a delete must not re-create the record"
    assert adapter.delete_record(user) is False, "deleting nothing says there was nothing"


def test_the_sdk_save_bumps_the_version_so_a_concurrent_writer_notices(adapter):
    user = envelope(new_user_id())
    adapter.write_record(user, {"visits": 1}, expected=None)
    adapter.save_attributes(user, {"visits": 5})
    with pytest.raises(VersionConflict):
        adapter.write_record(user, {"visits": 2}, expected=1)
    record = adapter.read_record(user)
    assert (record.attributes, record.version) == ({"visits": 5}, 2), f"unexpected record {record}"


def test_update_record_re_applies_on_the_newest_record(adapter):
    user = envelope(new_user_id())
    adapter.write_record(user, {"visits": 1}, expected=None)
    stale = adapter.read_record(user)
    adapter.write_record(user, {"visits": 2}, expected=1)  # another request wrote meanwhile
    seen = []

    def apply(record):
        seen.append(record.attributes["visits"])
        return {"visits": record.attributes["visits"] + 10}

    result = adapter.update_record(user, apply, known=stale)
    assert adapter.read_record(user).attributes == {"visits": 12}, "the update was not applied on the newest record"
    assert result.attributes == {"visits": 12}, f"update_record must return what is stored: {result}"
    assert seen[-1] == 2, f"apply must finally see the newest record, saw {seen}"


# -- SQLite specifics -----------------------------------------------------------------------------


def test_sqlite_adapter_is_lazy_and_creates_its_directory_and_private_file(tmp_path):
    path = tmp_path / "not" / "yet" / SQLITE_FILE_NAME
    store = SqlitePersistenceAdapter(path)
    assert not path.parent.exists(), "constructing the adapter must not touch the disk"
    store.save_attributes(envelope(new_user_id()), {"visits": 1})
    files = [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]
    for file in files:
        assert file.exists(), f"{file.name} missing: the store should be in WAL mode"
        mode = stat.S_IMODE(os.stat(file).st_mode)
        assert mode == 0o600, f"{file.name} has mode {oct(mode)}, expected 0o600"
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700, "the state directory should be private"
    store.close()


def test_sqlite_file_is_in_wal_mode(tmp_path):
    import sqlite3

    path = tmp_path / SQLITE_FILE_NAME
    store = SqlitePersistenceAdapter(path)
    store.get_attributes(envelope(new_user_id()))
    with sqlite3.connect(path) as other:
        journal_mode = other.execute("PRAGMA journal_mode").fetchone()[0]
    assert journal_mode == "wal", f"journal mode is {journal_mode!r}"
    store.close()


def test_two_processes_share_one_sqlite_file(tmp_path):
    """The CLI and a web service may share the state directory: writes are visible across processes."""
    path = tmp_path / SQLITE_FILE_NAME
    user_id = new_user_id()
    SqlitePersistenceAdapter(path).save_attributes(envelope(user_id), {"visits": 41})
    script = textwrap.dedent(f"""
        import json, sys
        sys.path.insert(0, {str(ROOT / "tests")!r})
        from support.dynamodb import handler_input_for
        from backcare.persistence.sqlite import SqlitePersistenceAdapter
        store = SqlitePersistenceAdapter({str(path)!r})
        user = handler_input_for(None, user_id={user_id!r}).request_envelope
        data = store.get_attributes(user)
        data["visits"] += 1
        store.save_attributes(user, data)
    """)
    subprocess.run([sys.executable, "-c", script], check=True, timeout=60)
    reader = SqlitePersistenceAdapter(path)
    assert reader.get_attributes(envelope(user_id)) == {"visits": 42}, "the other process's write was lost"


def test_unreadable_sqlite_location_is_a_persistence_error(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    store = SqlitePersistenceAdapter(blocker / SQLITE_FILE_NAME)
    with pytest.raises(PersistenceException):
        store.get_attributes(envelope(new_user_id()))


# -- make_adapter and import hygiene ---------------------------------------------------------------


def test_make_adapter_follows_the_configuration(tmp_path):
    sqlite_store = make_adapter(Config(persistence="sqlite", state_dir=tmp_path / "s"))
    assert isinstance(sqlite_store, SqlitePersistenceAdapter), "sqlite must give the SQLite adapter"
    assert sqlite_store.path == str(tmp_path / "s" / SQLITE_FILE_NAME), "the file lives in the state dir"
    assert make_adapter(Config(persistence="none")) is None, "none must give no adapter"
    dynamo = make_adapter(Config(persistence="dynamodb", table_name="t", aws_region="eu-west-1",
                                 dynamodb_endpoint="http://127.0.0.1:9", store_timeout_seconds=1.5))
    assert isinstance(dynamo, LazyDynamoDbAdapter), "dynamodb must give the DynamoDB adapter"
    assert (dynamo.table_name, dynamo.region, dynamo.endpoint_url, dynamo.timeout) == (
        "t", "eu-west-1", "http://127.0.0.1:9", 1.5), "the DynamoDB adapter ignored the configuration"


def test_dynamodb_items_keep_the_sdk_adapter_format_both_ways(moto_server, dynamodb_table):
    """Items stay readable by ask_sdk_dynamodb's DynamoDbAdapter, and its items by ours."""
    import boto3
    from ask_sdk_dynamodb.adapter import DynamoDbAdapter

    resource = boto3.resource("dynamodb", region_name=REGION, endpoint_url=moto_server.url)
    sdk = DynamoDbAdapter(table_name=TABLE_NAME, create_table=False, dynamodb_resource=resource)
    ours = dynamodb_adapter(moto_server.url)
    written_by_us, written_by_sdk = envelope(new_user_id()), envelope(new_user_id())
    ours.save_attributes(written_by_us, NESTED)
    assert sdk.get_attributes(written_by_us) == NESTED, "the SDK adapter cannot read our item"
    item = resource.Table(TABLE_NAME).get_item(Key={"id": written_by_us.context.system.user.user_id})["Item"]
    assert set(item) == {"id", "attributes", "version", "write_id"}, f"unexpected item layout: {sorted(item)}"
    sdk.save_attributes(written_by_sdk, {"visits": 3})
    record = ours.read_record(written_by_sdk)
    assert (record.attributes, record.version) == ({"visits": 3}, 0), f"the SDK's item read as {record}"
    assert ours.write_record(written_by_sdk, {"visits": 4}, expected=0) == 1, "an SDK item must update conditionally"
    assert sdk.get_attributes(written_by_sdk) == {"visits": 4}, "the SDK adapter cannot read the update"


def test_dynamodb_client_takes_endpoint_region_and_timeouts_from_configuration(moto_server, dynamodb_table):
    store = dynamodb_adapter(moto_server.url, timeout=1.2, store_attempts=3)
    client = store.client_for(5.0)
    assert client.meta.endpoint_url == moto_server.url, "the endpoint from configuration was not used"
    assert client.meta.region_name == REGION, "the region from configuration was not used"
    connect, read = client.meta.config.connect_timeout, client.meta.config.read_timeout
    assert connect <= 0.3 and connect + read == pytest.approx(1.2), \
        f"one attempt (connect + read) must fit the store timeout: {connect} + {read}"
    assert client.meta.config.retries["total_max_attempts"] == 1, "botocore must not retry behind the deadline"
    assert store.attempts == 3, "the attempts from configuration were not used"
    shorter = store.client_for(0.4)
    assert shorter.meta.config.connect_timeout + shorter.meta.config.read_timeout <= 0.4, \
        "with less time left, a client with shorter timeouts must be used"


def _run_python(code: str, env_extra: dict[str, str]) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(env_extra)
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=env, capture_output=True,
                          text=True, timeout=120)


def test_a_process_on_sqlite_never_imports_botocore(tmp_path):
    result = _run_python(f"""
        import sys
        from backcare.config import Config
        from backcare.persistence import make_adapter, user_data
        from backcare_tools.envelopes import Session, launch_request
        sys.path.insert(0, {str(ROOT / "tests")!r})
        from support.dynamodb import handler_input_for
        adapter = make_adapter(Config.from_env())
        handler_input = handler_input_for(adapter)
        assert user_data.update(handler_input, lambda data: data.update(visits=1)), "update failed"
        heavy = sorted(m for m in ("boto3", "botocore") if m in sys.modules)
        print("heavy:", heavy)
    """, {"PERSISTENCE": "sqlite", "BACKCARE_STATE_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    assert "heavy: []" in result.stdout, f"the AWS SDK was imported without DynamoDB: {result.stdout}"


def test_dynamodb_is_imported_only_when_the_store_is_first_used(moto_server, dynamodb_table):
    """With PERSISTENCE=dynamodb and no region in the environment, building the adapter costs no
    botocore (a yes/no turn never pays for it); the first read imports it and works. boto3 is
    never needed."""
    result = _run_python(f"""
        import sys
        sys.path.insert(0, {str(ROOT / "tests")!r})
        from backcare.config import Config
        from backcare.persistence import make_adapter, user_data
        from support.dynamodb import handler_input_for
        config = Config(persistence="dynamodb", table_name={TABLE_NAME!r}, aws_region={REGION!r},
                        dynamodb_endpoint={moto_server.url!r})
        adapter = make_adapter(config)
        print("after make_adapter:", "botocore" in sys.modules)
        handler_input = handler_input_for(adapter)
        user_data.load(handler_input)
        print("status:", user_data.status(handler_input), "botocore:", "botocore" in sys.modules,
              "boto3:", "boto3" in sys.modules)
    """, {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"})
    assert result.returncode == 0, result.stderr
    assert "after make_adapter: False" in result.stdout, f"make_adapter imported botocore: {result.stdout}"
    assert "status: new botocore: True boto3: False" in result.stdout, \
        f"the first read did not work, or needed boto3: {result.stdout}"


# -- the local create-table command ----------------------------------------------------------------


def test_create_table_refuses_without_a_local_endpoint(capsys):
    from backcare_tools import local_table

    with pytest.raises(SystemExit):
        local_table.main(["create-table", "--table", "x"])
    assert local_table.main(["create-table", "--endpoint-url",
                             "https://dynamodb.us-east-1.amazonaws.com", "--table", "x"]) == 2, \
        "creating a table in AWS itself must be refused"
    assert "local servers only" in capsys.readouterr().err, "the refusal should say why"


def test_create_table_makes_the_template_key_schema_and_is_idempotent(moto_server, capsys):
    from backcare_tools import local_table

    name = f"cli-{new_user_id()[-8:].lower()}"
    argv = ["create-table", "--endpoint-url", moto_server.url, "--table", name]
    assert local_table.main(argv) == 0, capsys.readouterr().err
    assert local_table.main(argv) == 0, "a second create must not fail"
    assert "already exists" in capsys.readouterr().out, "the second run should say the table exists"
    table = local_table.local_client(moto_server.url).describe_table(TableName=name)["Table"]
    assert table["KeySchema"] == [{"AttributeName": "id", "KeyType": "HASH"}], table["KeySchema"]
    assert table["AttributeDefinitions"] == [{"AttributeName": "id", "AttributeType": "S"}]


def test_create_table_matches_the_key_schema_of_template_yaml():
    from cfnlint.decode import cfn_yaml

    from backcare_tools import local_table

    template = cfn_yaml.load(str(ROOT / "template.yaml"))
    tables = [r["Properties"] for r in template["Resources"].values() if r["Type"] == "AWS::DynamoDB::Table"]
    assert len(tables) == 1, f"expected one DynamoDB table in template.yaml, found {len(tables)}"
    assert tables[0]["KeySchema"] == local_table.KEY_SCHEMA, "local tables must have the template's key schema"
    assert tables[0]["AttributeDefinitions"] == local_table.ATTRIBUTE_DEFINITIONS, "attribute definitions differ"
    assert tables[0]["BillingMode"] == "PAY_PER_REQUEST", "local tables are on-demand like the template's"


def test_create_table_reports_an_unreachable_server(capsys):
    from backcare_tools import local_table

    url = f"http://127.0.0.1:{free_port()}"
    assert local_table.main(["create-table", "--endpoint-url", url, "--table", "x"]) == 1, \
        "a refused connection must give exit status 1"
    assert "could not create table" in capsys.readouterr().err, "the error should be explained"
