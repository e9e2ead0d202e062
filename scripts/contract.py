"""The Altcraft contract from a checkout: ``altcraft contract`` (the packaged command) under another name.

    scripts/contract                        start altcraft-mock on a free port and test it
    scripts/contract --url URL -n 100       test any server that claims to speak this API; the token
                                            comes from ALTCRAFT_TOKEN or --token-file PATH, never argv

The spec, the schemathesis hooks and the runs are those of the installed package
(altcraft.cli._contract and altcraft.cli._contract_hooks); see ``scripts/contract --help``.
"""

from __future__ import annotations

import sys

from altcraft.cli._contract import contract

if __name__ == "__main__":
    contract.main(args=sys.argv[1:], prog_name="scripts/contract")
