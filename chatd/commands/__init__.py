"""The `chatd` subcommands, one module each; chatd/cli.py wires them up."""
