"""Lists the distributions this interpreter imports, for `ftbench ab`'s package note.

Usage: python venv_packages.py RECORD. Writes {normalised name: {name, version, origin, files}}:
the first distribution of a name on sys.path (the one imports find), where it was installed from
(direct_url.json) and a digest of its files' hashes (RECORD without pip's own notes).
"""

import hashlib
import json
import re
import sys
from importlib import metadata

# Files pip writes about an installation, not part of what was installed.
NOTES = ("/direct_url.json,", "/INSTALLER,", "/REQUESTED,", "/RECORD,")


def origin(dist):
    text = dist.read_text("direct_url.json")
    if not text:
        return None
    url = json.loads(text)
    commit = (url.get("vcs_info") or {}).get("commit_id")
    return url.get("url", "") + (f"@{commit}" if commit else "")


def files(dist):
    record = dist.read_text("RECORD") or ""
    kept = sorted(line for line in record.splitlines() if not any(n in line for n in NOTES) and ".pyc," not in line)
    return hashlib.sha256("\n".join(kept).encode()).hexdigest()[:16]


def main(record):
    found = {}
    for dist in metadata.distributions():
        name = dist.metadata["Name"]
        key = re.sub(r"[-_.]+", "-", name).lower()
        if key not in found:
            found[key] = {"name": name, "version": dist.version, "origin": origin(dist), "files": files(dist)}
    with open(record, "w") as f:
        json.dump(found, f)


main(sys.argv[1])
