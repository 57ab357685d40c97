"""The `chatd` command: serve, init, migrate, migrate-data, check-config, reseal, keys, schema, user, flags, media, talk, sbom, bench."""

from __future__ import annotations

import argparse
import os
import sys



def _parser(serve_only: bool = False) -> argparse.ArgumentParser:
    """`serve_only`: `chatd serve` needs no other command's parser, and the
    modules behind them would stay in the server (~1.4 MB, ~11 ms)."""
    p = argparse.ArgumentParser(prog="chatd", description="chatd: a light self-hosted chat server.")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def with_config(name: str, help: str) -> argparse.ArgumentParser:
        cmd = sub.add_parser(name, help=help, description=help)
        cmd.add_argument("--config", metavar="PATH", help="chatd.toml to read (default: $CHATD_CONFIG or ./chatd.toml)")
        return cmd

    serve = with_config("serve", "serve the API, WebSockets and web UI")
    serve.add_argument("--host", help="override server.host")
    serve.add_argument("--port", type=int, help="override server.port")
    serve.add_argument("--workers", type=int, help="worker processes (override server.workers; >1 needs storage.cache = redis://...)")
    if serve_only:
        return p

    init = sub.add_parser("init", help="write a commented chatd.toml", description="write a commented chatd.toml")
    init.add_argument("path", nargs="?", default="chatd.toml")
    init.add_argument("--force", action="store_true", help="overwrite an existing file")
    init.add_argument("--keys-socket", metavar="PATH", default="",
                      help="keep the keys in a separate key process listening on PATH: also writes keys.toml")

    with_config("migrate", "apply database schema migrations (safe to run twice)")
    from chatd.commands import migrate_data

    migrate_data.add_parser(sub, with_config)
    with_config("check-config", "validate the configuration and print what it means")
    with_config("reseal", "seal every two-step sign-in secret with auth.second_factor_key, "
                "so the keys in auth.second_factor_previous_keys can be dropped")

    keys = with_config("keys", "the key process (ASVS 6.4.2): `chatd keys serve` holds the pepper and the sealing "
                       "keys and answers chatd servers over keys.socket")
    keys.add_argument("action", choices=["serve"])

    schema = sub.add_parser("schema", help="print JSON Schemas of the entities", description="print JSON Schemas of the entities")
    schema.add_argument("--out", metavar="DIR", help="write one <Entity>.schema.json per entity into DIR")

    from chatd.commands import users

    users.add_parser(sub, with_config)

    from chatd.commands import flags

    flags.add_parser(sub, with_config)

    from chatd.commands import media

    media.add_parser(sub)

    from chatd.commands import talk

    talk.add_parser(sub)

    from chatd.commands import sbom

    sbom.add_parser(sub)

    bench = sub.add_parser("bench", help="load-test a server and report throughput, latency, memory", description="load-test a server")
    from chatd.bench import add_arguments

    add_arguments(bench)
    return p


def main(argv: list[str] | None = None) -> int:
    if argv is None and sys.argv[1:2] == ["serve"]:
        from chatd.commands.serve_malloc import prefer_system_malloc

        # `serve` re-executes itself once: first, so the process it replaces
        # builds no parser and loads no config (this module imports none at
        # the top for that), adapters or Litestar.
        prefer_system_malloc()
    args = _parser(serve_only=(sys.argv[1:] if argv is None else argv)[:1] == ["serve"]).parse_args(argv)
    from chatd import config as config_module
    from chatd.storage.sql.schema_version import SchemaTooNew

    try:
        status = _dispatch(args)
        sys.stdout.flush()  # here, where a closed pipe can still be caught
        return status
    except BrokenPipeError:
        # `chatd schema | head`: the reader has all it wanted. Point stdout at
        # /dev/null so the interpreter's own flush at exit does not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except config_module.ConfigError as err:
        print(f"chatd: config error: {err}", file=sys.stderr)
        return 2
    except SchemaTooNew as err:
        print(f"chatd: {err}", file=sys.stderr)
        return 2


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "init":
        from chatd.commands import init

        return init.run(args.path, args.force, args.keys_socket)
    if args.command == "schema":
        from chatd.commands import schema

        return schema.run(args.out)
    if args.command == "talk":
        from chatd.commands import talk

        return talk.run(args)
    if args.command == "bench":
        from chatd.bench import run

        return run(args)
    if args.command == "sbom":
        from chatd.commands import sbom

        return sbom.run(args)
    if args.command == "media":  # each action loads the config it needs
        from chatd.commands import media

        return media.run(args)
    from chatd import config as config_module

    # Only the key process may read the keys' files when keys.socket is set.
    cfg = config_module.load(getattr(args, "config", None), holds_keys=args.command == "keys")
    if args.command == "serve":
        from chatd.commands import serve

        return serve.run(cfg, args.host, args.port, args.workers)
    if args.command == "migrate":
        from chatd.commands import migrate

        return migrate.run(cfg)
    if args.command == "migrate-data":
        from chatd.commands import migrate_data

        return migrate_data.run(cfg, args)
    if args.command == "reseal":
        from chatd.commands import reseal

        return reseal.run(cfg)
    if args.command == "keys":
        from chatd.keys import serve as keys_serve

        return keys_serve.run(cfg)
    if args.command == "check-config":
        from chatd.commands import check_config

        return check_config.run(cfg)
    if args.command == "flags":
        from chatd.commands import flags

        return flags.run(cfg, args)
    from chatd.commands import users

    return users.run(cfg, args)


if __name__ == "__main__":
    sys.exit(main())
