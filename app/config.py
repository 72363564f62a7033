"""The server configuration: a TOML file shaped like Kapacitor's, with ``LEYDEN_*`` overrides.

leydend runs with no file at all on the defaults below. A file only needs the keys it
changes; an environment variable ``LEYDEN_<SECTION>_<KEY>`` (dashes as underscores,
upper case: ``LEYDEN_HTTP_BIND_ADDRESS``) or ``LEYDEN_<KEY>`` for top-level keys
(``LEYDEN_DATA_DIR``) beats the file. Sections this module does not know (alert
handlers, sources: ``[smtp]``, ``[[influxdb]]``) are kept as they were written, so the
plugins that own them can read them with :meth:`Config.section`; their keys can be
overridden from the environment too, as long as the file names them.

A misspelt key in a known section is an error that names it, rather than a setting
silently ignored.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from leyden.kernel import LeydenError

ENV_PREFIX = "LEYDEN_"


class ConfigError(LeydenError):
    """The configuration file or an override is invalid."""


@dataclass
class HTTPConfig:
    """``[http]``: where the API listens."""

    bind_address: str = "127.0.0.1:9092"
    log_enabled: bool = False
    max_body_size: int = 25_000_000


@dataclass
class TaskConfig:
    """``[task]``: what happens to stored tasks."""

    #: Start the tasks stored as enabled when the server starts. Set it to false to
    #: bring up a server whose tasks take it down, fix them, then enable them again.
    start_enabled: bool = True


@dataclass
class StorageConfig:
    """``[storage]``: the sqlite database of tasks and templates."""

    #: Relative paths are taken from ``data_dir``.
    path: str = "leyden.db"


@dataclass
class LoggingConfig:
    """``[logging]``: level (DEBUG, INFO, WARNING, ERROR) and file (STDERR, STDOUT or a path)."""

    level: str = "INFO"
    file: str = "STDERR"


@dataclass
class PluginsConfig:
    """``[plugins]``: the lock file pinning which plugins load ("" finds ``plugins.lock``)."""

    lock: str = ""


@dataclass
class Config:
    """The effective configuration: defaults, then the file, then the environment."""

    hostname: str = "localhost"
    data_dir: str = "./leyden-data"
    http: HTTPConfig = field(default_factory=HTTPConfig)
    task: TaskConfig = field(default_factory=TaskConfig)
    storage: StorageConfig = field(default_factory=StorageConfig)
    logging: LoggingConfig = field(default_factory=LoggingConfig)
    plugins: PluginsConfig = field(default_factory=PluginsConfig)
    #: Sections owned by plugins, exactly as written (a table or a list of tables).
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def storage_path(self) -> Path:
        return Path(self.data_dir) / self.storage.path

    def section(self, name: str) -> Any:
        """A plugin's section as written in the file (``dict`` or list of dicts), or None."""
        return self.extra.get(name)

    def get(self, name: str, default: Any = None) -> Any:
        """Any section by name, known ones with dashed keys: the mapping of sections the
        kernel hands to handler factories (``HandlerSpec.build``)."""
        return self.sections().get(name, default)

    def sections(self) -> dict[str, Any]:
        """Every section as plain data with Kapacitor's dashed keys, known ones first."""
        out: dict[str, Any] = {}
        for f in _section_fields():
            out[f.name] = {_key(k): v for k, v in dataclasses.asdict(getattr(self, f.name)).items()}
        out.update(self.extra)
        return out

    def to_toml(self) -> str:
        """The effective configuration as a TOML document ``leydend`` can read back."""
        lines = [f"hostname = {_toml_value(self.hostname)}", f"data_dir = {_toml_value(self.data_dir)}"]
        for name, body in self.sections().items():
            tables = body if isinstance(body, list) else [body]
            header = f"[[{name}]]" if isinstance(body, list) else f"[{name}]"
            for table in tables:
                lines += ["", header]
                lines += [f"{_toml_key(k)} = {_toml_value(v)}" for k, v in table.items()]
        return "\n".join(lines) + "\n"


def load(path: str | os.PathLike[str] | None = None, env: Mapping[str, str] | None = None) -> Config:
    """The configuration from ``path`` (None: defaults only) with environment overrides."""
    data: dict[str, Any] = {}
    if path is not None:
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except OSError as err:
            raise ConfigError(f"cannot read config {path}: {err.strerror}") from err
        except tomllib.TOMLDecodeError as err:
            raise ConfigError(f"invalid config {path}: {err}") from err
    config = from_dict(data)
    apply_env(config, os.environ if env is None else env)
    return config


def from_dict(data: Mapping[str, Any]) -> Config:
    """A configuration from parsed TOML; unknown keys of known sections are errors."""
    config = Config()
    known = {f.name: f for f in _section_fields()}
    for key, value in data.items():
        attr = _attr(key)
        if attr in known:
            if not isinstance(value, dict):
                raise ConfigError(f"[{key}] must be a table")
            section = getattr(config, attr)
            for sub_key, sub_value in value.items():
                _set(section, sub_key, sub_value, where=f"[{key}] {sub_key}")
        elif attr in ("hostname", "data_dir"):
            _set(config, key, value, where=key)
        else:
            config.extra[key] = value
    return config


def apply_env(config: Config, env: Mapping[str, str]) -> None:
    """Apply ``LEYDEN_*`` variables to every key that exists in ``config``."""
    for name in ("hostname", "data_dir"):
        raw = env.get(ENV_PREFIX + name.upper())
        if raw is not None:
            _set(config, name, _from_env(raw, getattr(config, name)), where=ENV_PREFIX + name.upper())
    for f in _section_fields():
        section = getattr(config, f.name)
        for sub in dataclasses.fields(section):
            var = f"{ENV_PREFIX}{f.name.upper()}_{sub.name.upper()}"
            raw = env.get(var)
            if raw is not None:
                _set(section, sub.name, _from_env(raw, getattr(section, sub.name)), where=var)
    for name, body in config.extra.items():
        if isinstance(body, dict):
            for key, value in list(body.items()):
                var = f"{ENV_PREFIX}{_attr(name).upper()}_{_attr(key).upper()}"
                raw = env.get(var)
                if raw is not None and not isinstance(value, dict | list):
                    body[key] = _from_env(raw, value)


def _section_fields() -> list[dataclasses.Field[Any]]:
    return [f for f in dataclasses.fields(Config) if f.name not in ("hostname", "data_dir", "extra")]


def _set(target: Any, key: str, value: Any, *, where: str) -> None:
    attr = _attr(key)
    names = {f.name for f in dataclasses.fields(target)}
    if attr not in names:
        raise ConfigError(f"unknown setting {where}")
    current = getattr(target, attr)
    if type(value) is not type(current) and not (isinstance(current, float) and type(value) is int):
        raise ConfigError(f"{where} must be a {type(current).__name__}, got {value!r}")
    setattr(target, attr, value)


def _from_env(raw: str, current: Any) -> Any:
    if isinstance(current, bool):
        lowered = raw.strip().lower()
        if lowered in ("true", "1", "yes", "on"):
            return True
        if lowered in ("false", "0", "no", "off"):
            return False
        raise ConfigError(f"expected true or false, got {raw!r}")
    if isinstance(current, int):
        try:
            return int(raw)
        except ValueError:
            raise ConfigError(f"expected an integer, got {raw!r}") from None
    if isinstance(current, float):
        try:
            return float(raw)
        except ValueError:
            raise ConfigError(f"expected a number, got {raw!r}") from None
    return raw


def _attr(key: str) -> str:
    return key.replace("-", "_")


def _key(attr: str) -> str:
    return attr.replace("_", "-")


def _toml_key(key: str) -> str:
    if key and all(c.isalnum() or c in "-_" for c in key):
        return key
    return _toml_value(key)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
        return f'"{escaped}"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in value.items()) + "}"
    raise ConfigError(f"cannot write {value!r} as TOML")
