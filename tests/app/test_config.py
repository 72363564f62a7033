import tomllib
from pathlib import Path

import pytest

from leyden.app import config as config_module
from leyden.app.config import Config, ConfigError


def test_defaults_need_no_file():
    config = config_module.load(None, env={})
    assert config.http.bind_address == "127.0.0.1:9092"
    assert config.data_dir == "./leyden-data"
    assert config.storage_path == Path("./leyden-data/leyden.db")
    assert config.task.start_enabled is True


def test_file_overrides_defaults_with_kapacitor_keys(tmp_path):
    path = tmp_path / "leyden.toml"
    path.write_text(
        'hostname = "box"\ndata_dir = "/var/lib/leyden"\n'
        '[http]\nbind-address = ":9999"\nlog-enabled = true\n'
        '[logging]\nlevel = "DEBUG"\n[plugins]\nlock = "/etc/leyden/plugins.lock"\n'
    )
    config = config_module.load(path, env={})
    assert (config.hostname, config.data_dir) == ("box", "/var/lib/leyden")
    assert config.http.bind_address == ":9999"
    assert config.http.log_enabled is True
    assert config.logging.level == "DEBUG"
    assert config.plugins.lock == "/etc/leyden/plugins.lock"
    assert config.http.max_body_size == 25_000_000  # untouched default


def test_environment_beats_the_file(tmp_path):
    path = tmp_path / "leyden.toml"
    path.write_text('[http]\nbind-address = "127.0.0.1:1"\n[smtp]\nhost = "mail"\nport = 25\n')
    env = {
        "LEYDEN_HTTP_BIND_ADDRESS": "127.0.0.1:2",
        "LEYDEN_DATA_DIR": "/tmp/x",
        "LEYDEN_TASK_START_ENABLED": "false",
        "LEYDEN_HTTP_MAX_BODY_SIZE": "10",
        "LEYDEN_SMTP_PORT": "2525",
    }
    config = config_module.load(path, env=env)
    assert config.http.bind_address == "127.0.0.1:2"
    assert config.data_dir == "/tmp/x"
    assert config.task.start_enabled is False
    assert config.http.max_body_size == 10
    assert config.section("smtp") == {"host": "mail", "port": 2525}


def test_misspelt_key_is_named(tmp_path):
    path = tmp_path / "leyden.toml"
    path.write_text('[http]\nbind-adress = "x"\n')
    with pytest.raises(ConfigError, match=r"\[http\] bind-adress"):
        config_module.load(path, env={})


def test_wrong_type_is_refused():
    with pytest.raises(ConfigError, match="must be a bool"):
        config_module.from_dict({"http": {"log-enabled": "yes"}})
    with pytest.raises(ConfigError, match="expected an integer"):
        config_module.load(None, env={"LEYDEN_HTTP_MAX_BODY_SIZE": "big"})


def test_unreadable_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="cannot read config"):
        config_module.load(tmp_path / "missing.toml", env={})
    bad = tmp_path / "bad.toml"
    bad.write_text("[http\n")
    with pytest.raises(ConfigError, match="invalid config"):
        config_module.load(bad, env={})


def test_plugin_sections_are_kept_and_printed():
    config = config_module.from_dict(
        {
            "influxdb": [{"name": "default", "urls": ["http://127.0.0.1:8086"], "enabled": True}],
            "udp": {"port": 1},
        }
    )
    text = config.to_toml()
    assert "[[influxdb]]" in text and "[udp]" in text
    assert config_module.from_dict(tomllib.loads(text)).sections() == config.sections()


def test_printed_config_reads_back_identically():
    config = Config(hostname='quote"host')
    config.http.bind_address = "0.0.0.0:9092"
    reread = config_module.from_dict(tomllib.loads(config.to_toml()))
    assert reread == config


def test_sections_can_be_read_as_a_mapping():
    config = config_module.from_dict({"smtp": {"host": "mail"}})
    assert config.get("smtp") == {"host": "mail"}
    assert config.get("http")["bind-address"] == "127.0.0.1:9092"
    assert config.get("slack") is None and config.get("slack", {}) == {}
