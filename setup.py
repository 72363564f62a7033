"""Map the top-level source folders into the `leyden.*` namespace.

The folder names (kernel, tick, ...) are too generic to install as top-level
modules, so each is installed as `leyden.<folder>`; the package list is computed
so a new subpackage can never be silently left out of the wheel.
"""

from setuptools import find_namespace_packages, setup

ROOTS = ("kernel", "tick", "udf", "plugins", "app")
packages = [f"leyden.{p}" for root in ROOTS for p in find_namespace_packages(include=[root, f"{root}.*"])]
setup(packages=packages, package_dir={f"leyden.{root}": root for root in ROOTS})
