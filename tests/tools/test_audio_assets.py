"""The cue assets: built with pydub + ffmpeg, checked against Alexa's MP3 rules."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from backcare_tools.audio import mp3check, names
from backcare_tools.audio.cli import main as audio_main


def _mp3_header(version_bits: int, bitrate_index: int, rate_index: int, mono: bool) -> bytes:
    word = (0x7FF << 21) | (version_bits << 19) | (0b01 << 17) | (1 << 16)  # layer III, no CRC
    word |= (bitrate_index << 12) | (rate_index << 10) | ((0b11 if mono else 0b01) << 6)
    return word.to_bytes(4, "big")


def test_frame_header_parser_reads_version_layer_bitrate_and_rate():
    header = mp3check.parse_frame_header(_mp3_header(0b10, 6, 0b01, mono=True))
    assert (header.version, header.layer, header.bitrate_kbps, header.sample_rate, header.channel_mode) == (
        "MPEG-2", 3, 48, 24000, "mono"), f"MPEG-2 L3 48 kbps 24 kHz mono header misread: {header}"
    assert header.samples == 576 and header.length == 144, f"MPEG-2 L3 frame geometry wrong: {header}"
    mpeg1 = mp3check.parse_frame_header(_mp3_header(0b11, 9, 0b00, mono=False))
    assert (mpeg1.version, mpeg1.bitrate_kbps, mpeg1.sample_rate, mpeg1.channel_mode) == (
        "MPEG-1", 128, 44100, "joint stereo"), f"MPEG-1 128 kbps 44.1 kHz header misread: {mpeg1}"


def test_bytes_without_frame_sync_are_not_a_header():
    with pytest.raises(mp3check.Mp3FormatError):
        mp3check.parse_frame_header(b"RIFF")


def test_every_built_asset_passes_the_alexa_check(built_assets):
    for asset_id in names.ASSET_IDS:
        path = built_assets / names.published_name(asset_id)
        result = mp3check.check_file(path)
        assert result.ok, f"{asset_id} breaks Alexa's rules: {result.summary()}"
        info = result.info
        assert set(info.versions) == {"MPEG-2"} and set(info.layers) == {3}, f"{asset_id}: {result.summary()}"
        assert set(info.bitrates_kbps) == {48} and set(info.sample_rates) == {24000}, result.summary()
        assert set(info.channel_modes) == {"mono"}, f"{asset_id} is not mono: {result.summary()}"
        assert 0.3 < info.duration_seconds < 5, f"{asset_id} should be a short cue: {result.summary()}"
        assert mp3check.ffprobe_disagreements(result) == [], f"ffprobe disagrees on {asset_id}"


def test_check_command_accepts_the_built_assets(built_assets, capsys):
    files = [str(built_assets / names.published_name(asset_id)) for asset_id in names.ASSET_IDS]
    assert audio_main(["check", *files]) == 0, f"check rejected built assets: {capsys.readouterr().out}"


def test_built_assets_have_headroom_and_the_hold_cue_is_softer(built_assets):
    assets = json.loads((built_assets / names.MANIFEST_NAME).read_text())["assets"]
    for asset_id, entry in assets.items():
        assert entry["peak_dbfs"] <= -1.0, f"{asset_id} peaks at {entry['peak_dbfs']} dBFS: risk of clipping"
        assert -30 < entry["rms_dbfs"] < -12, f"{asset_id} loudness {entry['rms_dbfs']} dBFS is off target"
    assert assets["hold"]["rms_dbfs"] < assets["chime"]["rms_dbfs"] - 3, f"hold is not softer: {assets}"


def test_manifest_lists_each_asset_with_its_hash(built_assets):
    manifest = names.read_manifest(built_assets)
    assert sorted(manifest["assets"]) == sorted(names.ASSET_IDS), f"manifest ids wrong: {manifest}"
    hashes = {}
    for asset_id, entry in manifest["assets"].items():
        data = (built_assets / entry["file"]).read_bytes()
        hashes[asset_id] = names.sha256_hex(data)
        assert entry["sha256"] == hashes[asset_id], f"manifest hash of {asset_id} does not match its file"
    assert manifest["release"] == names.release_id(hashes), "release id is not the hash of the asset set"


def test_building_twice_gives_identical_bytes(built_assets, tmp_path):
    from backcare_tools.audio.assets import build_assets

    again = {a.asset_id: a.sha256 for a in build_assets(tmp_path / "again")}
    first = {k: v["sha256"] for k, v in names.read_manifest(built_assets)["assets"].items()}
    assert again == first, "the build is not reproducible, so every build would publish new URLs"


def test_non_compliant_mp3_is_rejected_with_a_clear_message(tmp_path, capsys):
    loud = tmp_path / "music.mp3"
    subprocess.run([shutil.which("ffmpeg"), "-loglevel", "error", "-f", "lavfi", "-i", "sine=frequency=440:duration=2",
                    "-ar", "44100", "-b:a", "128k", "-ac", "1", str(loud)], check=True, timeout=60)
    result = mp3check.check_file(loud)
    assert not result.ok, f"a 44.1 kHz 128 kbps MP3 was accepted: {result.summary()}"
    message = result.summary()
    for expected in ("MPEG-1 (Alexa needs MPEG-2)", "128 kbps (Alexa needs a constant 48 kbps)",
                     "44100 Hz (Alexa needs one of 24000, 22050, 16000 Hz)"):
        assert expected in message, f"message lacks {expected!r}: {message}"
    assert audio_main(["check", str(loud)]) == 1, "check command exited 0 for a non-compliant file"
    assert "FAIL" in capsys.readouterr().out, "check command did not say FAIL"


def _ffmpeg_mp3(path, *args: str, source: str = "sine=frequency=440:duration=2") -> None:
    subprocess.run([shutil.which("ffmpeg"), "-loglevel", "error", "-f", "lavfi", "-i", source, *args, str(path)],
                   check=True, timeout=120)


@pytest.mark.parametrize("args, source, expected", [
    (["-ar", "24000", "-ac", "2", "-b:a", "48k"], "sine=frequency=440:duration=2", "(the skill's sounds must be mono)"),
    (["-ar", "24000", "-ac", "1", "-q:a", "2"], "anoisesrc=d=3:a=0.5", "(Alexa needs a constant 48 kbps)"),
    (["-ar", "16000", "-ac", "1", "-b:a", "48k", "-t", "241"], "anullsrc=r=16000:cl=mono", "(the limit is 240 s)"),
])
def test_stereo_variable_bit_rate_and_too_long_files_are_rejected(tmp_path, args, source, expected):
    path = tmp_path / "candidate.mp3"
    _ffmpeg_mp3(path, *args, source=source)
    result = mp3check.check_file(path)
    assert not result.ok and expected in result.summary(), f"expected {expected!r}: {result.summary()}"


def test_a_22050_hz_file_is_accepted_and_its_info_frame_is_not_audio(tmp_path):
    path = tmp_path / "ok.mp3"
    _ffmpeg_mp3(path, "-ar", "22050", "-ac", "1", "-b:a", "48k")
    result = mp3check.check_file(path)
    assert result.ok, f"a compliant 22050 Hz file was rejected: {result.summary()}"
    assert result.info.tag_frame and "Info" in result.info.tag_frame, "LAME's Info frame was counted as audio"


def test_a_file_that_is_not_mp3_fails_the_check(tmp_path):
    fake = tmp_path / "fake.mp3"
    fake.write_bytes(b"<html>not audio</html>" * 10)
    result = mp3check.check_file(fake)
    assert not result.ok and "not a readable MP3 stream" in result.summary(), result.summary()


def test_build_fails_clearly_when_ffmpeg_is_missing(tmp_path, monkeypatch, capsys):
    empty_bin = tmp_path / "bin"
    empty_bin.mkdir()
    monkeypatch.setenv("PATH", str(empty_bin))
    code = audio_main(["build", "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 3, f"build without ffmpeg should exit 3, got {code}"
    assert "ffmpeg not found" in err and "apt-get install ffmpeg" in err, f"unclear message: {err}"
    assert not list((tmp_path).glob("out/*.mp3")), "build wrote files without ffmpeg"


def test_asset_urls_use_the_stable_ids():
    assert names.asset_url("https://d1.cloudfront.net/audio/abc123/", "chime") == (
        "https://d1.cloudfront.net/audio/abc123/chime.mp3"), "asset URL is not base + id.mp3"
    assert names.asset_id_from_src("https://x/audio/abc/hold.mp3") == "hold", "id not recognised from URL"
    assert names.asset_id_from_src("done-3f2a.mp3") == "done", "hashed name not recognised"
    assert names.asset_id_from_src("soundbank://soundlibrary/bell") is None, "foreign sound taken for ours"
    with pytest.raises(KeyError):
        names.published_name("trumpet")


def test_release_id_changes_when_any_asset_changes():
    base = {"chime": "a" * 64, "hold": "b" * 64, "done": "c" * 64}
    assert names.release_id(base) == names.release_id(dict(reversed(base.items()))), "release depends on order"
    assert names.release_id(base) != names.release_id({**base, "hold": "d" * 64}), "changed asset kept its URL"
