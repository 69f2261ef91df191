"""A minimal PEP 517 backend: a pure-Python wheel of the `lockcounter` folder. It exists so the
example installs offline; a real package uses setuptools, hatchling, maturin or the like."""

import base64
import hashlib
import os
import tomllib
import zipfile


def _project():
    with open("pyproject.toml", "rb") as f:
        project = tomllib.load(f)["project"]
    return project["name"], project["version"]


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    name, version = _project()
    dist_info = f"{name}-{version}.dist-info"
    wheel = f"{name}-{version}-py3-none-any.whl"
    record = []
    with zipfile.ZipFile(os.path.join(wheel_directory, wheel), "w") as z:

        def add(path, data):
            z.writestr(path, data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            record.append(f"{path},sha256={digest},{len(data)}")

        for root, _, files in sorted(os.walk(name)):
            for file in sorted(f for f in files if f.endswith(".py")):
                with open(os.path.join(root, file), "rb") as f:
                    add(os.path.join(root, file), f.read())
        add(f"{dist_info}/METADATA", f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n".encode())
        add(f"{dist_info}/WHEEL", b"Wheel-Version: 1.0\nGenerator: lockcounter\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
        record.append(f"{dist_info}/RECORD,,")
        z.writestr(f"{dist_info}/RECORD", "\n".join(record) + "\n")
    return wheel
