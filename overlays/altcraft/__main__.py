"""``python -m altcraft``: the ``altcraft`` command."""

from altcraft.cli import run

if __name__ == "__main__":
    run()
