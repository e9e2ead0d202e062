"""``python -m altcraft``: the ``altcraft`` command."""

from altcraft.cli import main

if __name__ == "__main__":
    main(prog_name="altcraft")
