"""Config: TOML and PYPLOW_ environment variables into typed Structs, with precise errors."""

from __future__ import annotations

from pathlib import Path

import msgspec
import pytest

from pyplow.config import ConfigError, load


class Cookie(msgspec.Struct, frozen=True, kw_only=True):
    name: str = "sp"
    secure: bool = True
    expiration_days: int = 365
    domains: tuple[str, ...] = ()


class Collector(msgspec.Struct, frozen=True, kw_only=True):
    port: int = 8080
    cookie: Cookie = Cookie()


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "pyplow.toml"
    path.write_text(text)
    return path


def test_defaults_without_file_or_environment() -> None:
    assert load(Collector, env={}) == Collector()


def test_file_section_and_environment_overlay(tmp_path: Path) -> None:
    path = write(tmp_path, '[collector]\nport = 9000\n[collector.cookie]\nname = "nuid"\n')
    env = {
        "PYPLOW_COLLECTOR__COOKIE__SECURE": "false",
        "PYPLOW_COLLECTOR__COOKIE__EXPIRATION_DAYS": "30",
        "PYPLOW_COLLECTOR__COOKIE__DOMAINS": '["acme.com", "acme.org"]',
        "PYPLOW_ENRICH__WORKERS": "4",  # another section: ignored here
        "HOME": "/nowhere",
    }
    config = load(Collector, path, env=env, section="collector")
    assert config == Collector(
        port=9000,
        cookie=Cookie(
            name="nuid", secure=False, expiration_days=30, domains=("acme.com", "acme.org")
        ),
    )


def test_environment_wins_over_file(tmp_path: Path) -> None:
    path = write(tmp_path, "[collector]\nport = 9000\n")
    config = load(Collector, path, env={"PYPLOW_COLLECTOR__PORT": "9100"}, section="collector")
    assert config.port == 9100


def test_wrong_type_names_the_setting(tmp_path: Path) -> None:
    path = write(tmp_path, '[collector.cookie]\nexpiration_days = "soon"\n')
    with pytest.raises(ConfigError, match=r"setting collector\.cookie\.expiration_days"):
        load(Collector, path, env={}, section="collector")


def test_unreadable_and_invalid_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read config file"):
        load(Collector, tmp_path / "missing.toml", env={})
    with pytest.raises(ConfigError, match="not valid TOML"):
        load(Collector, write(tmp_path, "port = = 1"), env={})
    with pytest.raises(ConfigError, match="must be a table"):
        load(Collector, write(tmp_path, "collector = 3"), env={}, section="collector")


def test_environment_path_through_a_scalar_is_an_error() -> None:
    with pytest.raises(ConfigError, match="port is not a table"):
        load(
            Collector,
            env={"PYPLOW_COLLECTOR__PORT": "1", "PYPLOW_COLLECTOR__PORT__X": "2"},
            section="collector",
        )
