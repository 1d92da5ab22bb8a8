"""The `%spark` line magic: one handler per subcommand, options through traitlets."""

from __future__ import annotations

import argparse
import shlex
from typing import Any

from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell
from IPython.core.magic import Magics, line_magic, magics_class
from traitlets import Float

from . import _core, api, server
from .arguments import HELP, parse
from .display import show
from .lazy import LazySpark
from .reports import conf_card, detached_card, start_card, stop_card
from .session import KERNEL_SESSION, Started


def _parse_conf_items(items: list[str]) -> dict[str, str]:
    try:
        return _core.parse_conf(items)
    except _core.ConfError as err:
        raise UsageError(str(err)) from None


@magics_class
class SparkConnect(Magics):
    """`%spark`; its options are settable with `%config SparkConnect.<option> = ...` or in
    ipython_config.py."""

    start_timeout = Float(
        server.DEFAULT_START_TIMEOUT,
        help="Seconds `%spark start` waits for a new server to accept connections.",
    ).tag(config=True)

    @property
    def _shell(self) -> InteractiveShell:
        assert self.shell is not None, "registered magics always have a shell"
        return self.shell

    @property
    def _namespace(self) -> dict[str, Any]:
        return self._shell.user_ns  # type: ignore[no-any-return]

    @line_magic
    def spark(self, line: str) -> None:
        try:
            argv = shlex.split(line)
        except ValueError as err:
            raise UsageError(f"cannot read the %spark line: {err}") from None
        args = parse(argv)
        if args is None:
            return
        handler = getattr(self, f"_{args.command}")
        handler(args)

    spark.__doc__ = HELP

    def _start(self, args: argparse.Namespace, restart: bool = False) -> None:
        conf = _parse_conf_items(args.conf)
        if args.master:
            conf["spark.master"] = args.master
        started = KERNEL_SESSION.start(
            conf=conf,
            port=args.port,
            timeout=args.timeout or self.start_timeout,
            restart=restart,
        )
        self._bind_spark(started)
        show(start_card(started.result, started.seconds, started.conf_differs))

    def _restart(self, args: argparse.Namespace) -> None:
        self._start(args, restart=True)

    def _connect(self, args: argparse.Namespace) -> None:
        session = api.connect(args.url, token_env=args.token_env, token_file=args.token_file)
        self._namespace["spark"] = session
        show(api.status())

    def _stop(self, args: argparse.Namespace) -> None:
        remote = KERNEL_SESSION.remote
        if remote is not None:
            session = KERNEL_SESSION.current
            api.stop()
            if session is not None and self._namespace.get("spark") is session:
                self._namespace["spark"] = LazySpark(self._shell)
            show(detached_card(remote))
            return
        session = KERNEL_SESSION.current
        result = KERNEL_SESSION.stop(force=args.force)
        namespace = self._namespace
        if session is not None and namespace.get("spark") is session:
            namespace["spark"] = LazySpark(self._shell)
        show(stop_card(result))

    def _status(self, args: argparse.Namespace) -> None:
        show(api.status())

    def _logs(self, args: argparse.Namespace) -> None:
        show(api.logs(args.n))

    def _conf(self, args: argparse.Namespace) -> None:
        pending = {} if args.reset else server.pending_conf()
        for key in args.unset:
            if pending.pop(key, None) is None:
                raise UsageError(f"`{key}` is not in the saved conf; `%spark conf` lists it.")
        pending.update(_parse_conf_items(args.items))
        if args.reset or args.unset or args.items:
            server.save_pending_conf(pending)
        show(conf_card(server.status(), pending))

    def _help(self, args: argparse.Namespace) -> None:
        print(HELP)

    def _bind_spark(self, started: Started) -> None:
        self._namespace["spark"] = started.session


def spark_is_ours(value: Any) -> bool:
    return isinstance(value, LazySpark) or (value is not None and value is KERNEL_SESSION.current)
