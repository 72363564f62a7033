"""The application around the kernel: config, storage, the HTTP API, the daemon and the CLI."""

#: The Kapacitor release whose HTTP API leyden speaks; clients read it from ``/ping``.
KAPACITOR_VERSION = "1.5.0"
