"""The tap: its settings and its streams."""

from __future__ import annotations

import copy
import datetime
import gc
import logging
import os
import sys
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar, NoReturn, cast

import click
from singer_sdk import Stream, Tap
from singer_sdk.exceptions import ConfigValidationError, FatalAPIError, RetriableAPIError
from singer_sdk.helpers.capabilities import CapabilitiesEnum, TapCapabilities
from singer_sdk.singerlib import Catalog
from singer_sdk.tap_base import CliTestOptionValue
from typing_extensions import override

from tap_magento.availability import Verdict, check_access, nothing_readable, verdict
from tap_magento.choices import check_choices, check_deletion_streams, check_start_dates
from tap_magento.custom_attributes import AttributeTypes
from tap_magento.front_door.client import StoreClient
from tap_magento.front_door.connection import SANDBOX, MagentoConnection
from tap_magento.front_door.diagnosis import one_line
from tap_magento.front_door.errors import AccessRefused, RouteMissing
from tap_magento.front_door.stopping import Cancelled, Clock, Stop, TargetGone
from tap_magento.input_errors import BadInput
from tap_magento.inputs import (
    BookmarkShape,
    check_catalog,
    check_state,
    read_json_file,
    unknown_selected_streams,
)
from tap_magento.passes import ReadSettings
from tap_magento.passes.paging import PagingStalled
from tap_magento.passes.sizing import PageSize
from tap_magento.progress import quiet_request_metrics
from tap_magento.run_window import RunWindow
from tap_magento.settings import (
    CONFIG_SCHEMA,
    check_settings,
    environment_config,
    read_config_file,
)
from tap_magento.streams import STREAM_NAMES, STREAM_TYPES, kinds
from tap_magento.streams.product_skus import ProductSkus
from tap_magento.streams.store_directory import StoreDirectory
from tap_magento.target_pipe import TargetWriter, watching

if TYPE_CHECKING:
    from singer_sdk.singerlib.encoding.base import GenericSingerWriter

    from tap_magento.streams.lists import ListStream

ENV_PREFIX = "TAP_MAGENTO_"
COLLECT_AFTER_OBJECTS = 100_000
SWITCH_SECONDS = 0.05
# Errors the tap has explained in their message: the command prints them as one line.
EXPLAINED_ERRORS = (
    ConfigValidationError,
    BadInput,
    FatalAPIError,
    RetriableAPIError,
    PagingStalled,
)


class TapMagento(Tap):
    """Singer tap for Magento 2 / Adobe Commerce, through its admin REST API."""

    name = "tap-magento"

    config_jsonschema = CONFIG_SCHEMA
    # msgspec encodes RECORD messages several times faster than the SDK's default writer; the
    # tap's own (``__init__``) also stops the run when the target goes away.
    message_writer_class = TargetWriter
    capabilities: ClassVar[list[CapabilitiesEnum]] = [*Tap.capabilities, TapCapabilities.TEST]

    def __init__(
        self,
        *,
        config: dict[str, Any] | None = None,
        catalog: dict[str, Any] | Catalog | None = None,
        state: dict[str, Any] | None = None,
        parse_env_config: bool = False,
        validate_config: bool = True,
        setup_mapper: bool = True,
        message_writer: GenericSingerWriter[Any, Any] | None = None,
        clock: Clock | None = None,
    ) -> None:
        """``clock``: the run's time (tests replace it); real time by default."""
        # What SIGTERM and SIGINT set during a sync (``invoke``); what cuts waits short.
        self.stop = Stop()
        self._clock = clock
        # The upper bound of updated_at for this run: what changes later is the next run's.
        self.started_at = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
        # Settings are checked here, before the SDK's own validation, so that whatever is
        # wrong is said in one line that names the setting (or variable) and what it takes.
        schema = self.full_config_schema()
        config = dict(config or {})
        if parse_env_config:
            config |= environment_config(schema, os.environ, ENV_PREFIX)
        if validate_config:
            check_settings(config, schema)
        raw_catalog = catalog if isinstance(catalog, dict) else None
        if raw_catalog is not None:
            check_catalog(raw_catalog)
        super().__init__(
            config=config,
            catalog=catalog,
            state=state,
            validate_config=validate_config,
            setup_mapper=setup_mapper,
            message_writer=message_writer or TargetWriter(self.stop),
        )
        if raw_catalog is not None:
            for name in unknown_selected_streams(raw_catalog, STREAM_NAMES):
                self.logger.warning(
                    "The catalog selects %r, which is not a stream of this tap (it has %s): "
                    "nothing is read for it.",
                    name,
                    ", ".join(sorted(STREAM_NAMES)),
                )
        quiet_request_metrics(enabled=bool(self.config.get("log_request_metrics")))
        if validate_config:
            streams = self.streams.items()
            check_choices(self.config, {name: kinds.searchable(s) for name, s in streams})
            check_deletion_streams(self.config, (n for n, s in streams if kinds.incremental(s)))
            check_start_dates(
                self.config,
                (n for n, s in streams if kinds.incremental(s)),
                {c.name: p.name for p in self.streams.values() for c in kinds.children_of(p)},
            )
            _ = self.connection  # bad credentials or an unreachable login fail now, in one line

    @classmethod
    def full_config_schema(cls) -> dict[str, Any]:
        """The tap's settings and the SDK's own (stream maps, flattening, batch)."""
        schema = copy.deepcopy(cls.config_jsonschema)
        cls.append_builtin_config(schema)
        return schema

    @override
    def load_state(self, state: dict[str, Any]) -> None:
        shapes = {
            stream.name: BookmarkShape(
                stream.replication_key, frozenset(stream.bookmark_partition_keys)
            )
            for stream in kinds.tap_streams(self.streams.values())
        }
        check_state(state, shapes)
        super().load_state(state)

    def check_connection(self) -> bool:
        """Reach the store, log in, and log which streams the credentials may read."""
        try:
            found = verdict(check_access(kinds.lists(self.streams.values())))
        except EXPLAINED_ERRORS as error:
            found = Verdict(False, [], f"Connection test failed: {one_line(error)}")
        for warning in found.warnings:
            self.logger.warning("%s", warning)
        self.logger.log(logging.INFO if found.passed else logging.ERROR, "%s", found.summary)
        return found.passed

    def skip_unavailable_streams(self) -> None:
        """Deselect the selected streams this store or these credentials cannot read.

        One WARNING each, naming the module or ACL resource; when none is left, the run's one
        error line. The command line calls this before ``sync_all``.
        """
        read = [
            stream
            for stream in kinds.lists(self.streams.values())
            if stream.selected or stream.has_selected_descendents
        ]
        found = check_access(read)
        unreadable = [access for access in found if not access.readable]
        if unreadable and len(unreadable) == len(found):
            raise FatalAPIError(nothing_readable(unreadable))
        for access in unreadable:
            stream = self.streams[access.stream]
            for skipped in (stream, *stream.child_streams):  # a child is read from its parent
                if skipped.selected or skipped is stream:
                    self.logger.warning("%s: skipped: %s", skipped.name, access.missing)
                skipped.selected = False

    @cached_property
    def store_directory(self) -> StoreDirectory:
        """The store's websites and store views, read at most once a run."""

        def read(stream_name: str) -> list[dict[str, Any]]:
            records = self.streams[stream_name].get_records(None)
            return [record for record in records if isinstance(record, dict)]

        return StoreDirectory(read)

    @cached_property
    def attribute_types(self) -> AttributeTypes:
        """Custom attributes' types from the store's metadata streams, read once a run."""

        def read(stream_name: str) -> list[dict[str, Any]]:
            try:
                records = self.streams[stream_name].get_records(None)
                return [record for record in records if isinstance(record, dict)]
            except (AccessRefused, RouteMissing) as refusal:  # these credentials, this store
                self.logger.warning(
                    "custom_attributes_object: %s cannot be read (%s): its attributes are "
                    "not typed",
                    stream_name,
                    one_line(refusal),
                )
                return []
            except EXPLAINED_ERRORS as error:  # an unreachable store types nothing: say so
                msg = (
                    "custom_attributes_as_object types attributes from the store's metadata, "
                    f"and {stream_name} could not be read: {one_line(error)}"
                )
                raise FatalAPIError(msg) from None

        return AttributeTypes(read)

    # --- the command line: every input it is given is checked, every failure is one line ------

    @classmethod
    @override
    def cb_config(cls, ctx: click.Context, param: click.Option, value: tuple[str, ...]) -> Any:
        """``--config``: files (and ``ENV``) read with one-line errors; ``sandbox`` started.

        ``store_url: sandbox`` starts the bundled sandbox store here, in the command line
        layer, for this run only: it is stopped when the command ends.
        """
        try:
            config: dict[str, Any] = {}
            for path in value:
                if path != "ENV":
                    config |= read_config_file(path)
            if "ENV" in value:
                config |= environment_config(cls.full_config_schema(), os.environ, ENV_PREFIX)
        except ConfigValidationError as error:
            cls._fail(ctx, error)
        if config.get("store_url") == SANDBOX:
            config = cls._with_sandbox(ctx, config)
        inputs = super().cb_config(ctx, param, ())  # the SDK's holder of the parsed config
        inputs.config = config
        return inputs

    @classmethod
    def _with_sandbox(cls, ctx: click.Context, config: dict[str, Any]) -> dict[str, Any]:
        from tap_magento.sandbox.for_tap import start_sandbox

        server, config = start_sandbox(config)

        def stop() -> None:
            server.stop()
            cls.logger.info("Stopped the bundled sandbox store")

        ctx.call_on_close(stop)
        cls.logger.info(
            "store_url is 'sandbox': started the bundled sandbox store at %s", server.url
        )
        return config

    @classmethod
    @override
    def get_singer_command(cls) -> click.Command:
        """The SDK's command, with ``--state`` and ``--catalog`` taken as paths.

        The SDK opens them as ``click.File``: a missing file is then Click's three-line usage
        error and exit 2. ``invoke`` reads them instead, with one line and exit 1.
        """
        command = super().get_singer_command()
        for index, param in enumerate(command.params):
            if param.name in {"state", "catalog"} and isinstance(param, click.Option):
                command.params[index] = click.Option(
                    param.opts, help=param.help, type=click.STRING, default=None
                )
        return command

    @classmethod
    @override
    def cb_discover(cls, ctx: click.Context, param: click.Option, value: bool) -> None:
        try:
            super().cb_discover(ctx, param, value)
        except EXPLAINED_ERRORS as error:
            cls._fail(ctx, error)

    @classmethod
    @override
    def cb_test(cls, ctx: click.Context, param: click.Option, value: str) -> None:
        """``--test``: ``check_connection`` instead of the SDK's dry run.

        The SDK's stops at the first stream the credentials may not read, and its CLI exits 0
        whatever happened; ``--test=schema`` is left to the SDK.
        """
        if value != CliTestOptionValue.All.value:
            try:
                super().cb_test(ctx, param, value)
            except EXPLAINED_ERRORS as error:
                cls._fail(ctx, error)
            return
        config = ctx.params.get("config")  # the SDK's parsed --config, files or ENV
        try:
            tap = cls(
                config=config.config if config else None,
                parse_env_config=bool(config and config.parse_env),
            )
        except EXPLAINED_ERRORS as error:
            cls._fail(ctx, error, prefix="Connection test failed: ")
        ctx.exit(0 if tap.check_connection() else 1)

    @classmethod
    @override
    def invoke(  # type: ignore[override]
        cls,
        *,
        about: bool = False,
        about_format: str | None = None,
        config: Any = None,
        state: str | None = None,
        catalog: str | None = None,
    ) -> None:
        """A sync: inputs read with one-line errors, unavailable streams skipped, then synced.

        The SDK's ``Tap.invoke`` builds the tap and syncs at once; this is the same with the
        availability check between the two (``sync_all`` is final). Other exceptions (bugs)
        keep the SDK's traceback.
        """
        ctx = click.get_current_context()
        if about:
            cls.print_about(about_format)
            ctx.exit(0)
        cls.print_version(print_fn=cls.logger.info)
        try:
            tap = cls(
                config=config.config if config else None,
                state=read_json_file(state, "STATE") if state is not None else None,
                catalog=read_json_file(catalog, "catalog") if catalog is not None else None,
                parse_env_config=bool(config and config.parse_env),
            )
        except EXPLAINED_ERRORS as error:
            cls._fail(ctx, error)
        # A sync makes and drops millions of objects, records' trees of dicts without a cycle:
        # collecting after every 700 new ones (Python's default) cost a sixth of the tap's CPU
        # and freed nothing. Cycles (a retry's traceback) are still collected, less often.
        gc.set_threshold(COLLECT_AFTER_OBJECTS, *gc.get_threshold()[1:])
        # A parallel pass's readers split pages while the main thread decodes and writes
        # records: handing the interpreter between them every 5 ms (Python's default) cost CPU
        # in switches and in caches refilled; a reader waiting for the store still hands it
        # over at once.
        sys.setswitchinterval(SWITCH_SECONDS)
        try:
            with tap.stop.on_signals(), watching(tap.stop):
                tap.skip_unavailable_streams()
                tap.sync_all_or_say_where_it_stopped()
        except TargetGone:
            cls.logger.error(
                "The target stopped reading the tap's output (a broken pipe): this run is "
                "incomplete and sent no request after it. The next run resumes from the last "
                "STATE the target confirmed; the target's own log says why it stopped."
            )
            ctx.exit(1)
        except Cancelled as stopped:
            cls.logger.error(
                "Stopped by %s: no request was sent after it; the last STATE covers every "
                "record emitted, and a run from it resumes there. Exit status %d.",
                stopped.signal_name,
                stopped.exit_status,
            )
            ctx.exit(stopped.exit_status)
        except EXPLAINED_ERRORS as error:
            cls._fail(ctx, error)

    def sync_all_or_say_where_it_stopped(self) -> None:
        """``sync_all``; when it stops early, a STATE of everything emitted until then.

        The SDK writes STATE every ``STATE_MSG_FREQUENCY`` records and at the end of each
        stream; a run that stops in between (an error, a signal) would otherwise leave the
        last records it emitted outside every STATE, and a resumed run would read them again.
        """
        try:
            self.sync_all()
        except TargetGone:
            raise  # nobody is reading a STATE any more
        except (Cancelled, *EXPLAINED_ERRORS):
            self.state_writer.write_state(self.state)
            raise

    @classmethod
    def _fail(cls, ctx: click.Context, error: Exception, prefix: str = "") -> NoReturn:
        """Log the error as one line and end the command with exit status 1."""
        if isinstance(error, ConfigValidationError) and error.errors:
            message = "; ".join(error.errors)
        else:
            message = one_line(error)
        cls.logger.error("%s%s", prefix, message)
        ctx.exit(1)

    @cached_property
    def product_skus(self) -> ProductSkus:
        """Every product's SKU, read at most once a run (``streams.product_skus``)."""
        return ProductSkus(cast("ListStream", self.streams["products"]))

    @cached_property
    def run_window(self) -> RunWindow:
        """The stretch of time incremental streams read in this run."""
        return RunWindow.of(self.config, self.started_at)

    @cached_property
    def connection(self) -> MagentoConnection:
        return MagentoConnection(self.config, self.logger, self.stop, self._clock)

    @cached_property
    def client(self) -> StoreClient:
        """What every stream of the run asks the store through."""
        return StoreClient(self.connection)

    @cached_property
    def read_settings(self) -> ReadSettings:
        """How the run's passes read, from the settings (and what the store says of its
        largest page, once it has said)."""
        config = self.config
        keyset = config["keyset_paging"]
        return ReadSettings(
            page_size=PageSize(int(config["page_size"])),
            pages_per_window=1 if keyset else max(1, int(config["max_pages_per_window"])),
            skip_unreadable=bool(config["skip_unreadable_records"]),
            workers=int(config["max_parallel_requests"]),
            min_page_size=int(config["min_page_size"]),
        )

    @override
    def discover_streams(self) -> list[Stream]:
        return [stream_type(tap=self) for stream_type in STREAM_TYPES]

    @property
    @override
    def streams(self) -> dict[str, Stream]:
        """The SDK's streams, in its order (by name), with each stream that reuses another's
        records of the run (``reads_after``) moved after that one: special prices after
        products, whose whole read gives their SKUs."""
        ordered = list(super().streams.values())
        for stream in kinds.tap_streams(list(ordered)):
            if stream.reads_after is not None:
                ordered.remove(stream)
                names = [s.name for s in ordered]
                ordered.insert(names.index(stream.reads_after) + 1, stream)
        return {stream.name: stream for stream in ordered}


if __name__ == "__main__":
    TapMagento.cli()
