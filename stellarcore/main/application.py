"""The node: one object wiring config, database, buckets, ledger, herder
and the admin HTTP server (stellar-core ApplicationImpl).

Why one place: start-up order matters (the database and the bucket
directory before the ledger, the ledger before the herder, the herder
before the HTTP server starts taking transactions), and so does shutdown
(stop the timers, let the close in progress finish, close the meta stream,
then the database). A node killed at any moment restarts from its last
closed ledger: every close is one SQLite transaction (see LedgerManager).
"""
from __future__ import annotations

import logging
import os
import signal
import time

from stellarcore.bucket.manager import BucketManager
from stellarcore.database.database import Database
from stellarcore.herder.herder import Herder
from stellarcore.ledger import header_store
from stellarcore.ledger.close_meta import MetaStream
from stellarcore.ledger.ledger_manager import LedgerManager
from stellarcore.ledger.persistent_state import PersistentState
from stellarcore.bucket.snapshot import HotArchiveBucketListSnapshot, LiveBucketListSnapshot

log = logging.getLogger("stellarcore.Main")


class ApplicationError(RuntimeError):
    """The node cannot start (no database, another network's database...)."""


class Application:
    def __init__(self, config, *, keep_meta: bool = False, clock=None):
        self.config = config
        self.started_on = int(time.time())
        path = config.sqlite_path
        if path != ":memory:":
            os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        self.database = Database(path)
        self.bucket_manager = BucketManager(config.BUCKET_DIR_PATH,
                                            do_fsync=not getattr(config, "DISABLE_XDR_FSYNC", False))
        stream = getattr(config, "METADATA_OUTPUT_STREAM", "") or ""
        self.meta_stream = MetaStream(stream) if stream else None
        self.ledger_manager = LedgerManager(config, self.database, self.bucket_manager,
                                            meta_stream=self.meta_stream, keep_meta=keep_meta)
        self.herder = None
        self.overlay = None
        self.http = None
        self.query_http = None
        self.clock = clock
        self.status_messages: list = []
        self._stopping = False

    # -- database ---------------------------------------------------------------
    def has_database(self) -> bool:
        return self.database.table_exists("storestate") and self.database.table_exists("ledgerheaders")

    def new_db(self) -> None:
        """new-db: fresh tables and the genesis ledger."""
        self.database.execute("DROP TABLE IF EXISTS offers")   # rebuilt by the first ledger
        PersistentState.drop_all(self.database)
        header_store.drop_all(self.database)
        self.ledger_manager.start_new_ledger()

    def load(self) -> None:
        """Open the last closed ledger; a missing database is created."""
        if not self.has_database():
            log.info("No database: creating one with the genesis ledger")
            self.new_db()
        else:
            self.ledger_manager.load_last_known_ledger()

    # -- running ------------------------------------------------------------------
    def start(self) -> None:
        """Load the ledger, start the herder and the HTTP server."""
        self.load()
        self.herder = Herder(self.config, self.ledger_manager, clock=self.clock)
        self.herder.start()
        port = int(getattr(self.config, "HTTP_PORT", 0) or 0)
        if port:
            from stellarcore.main.command_handler import CommandHandler
            from stellarcore.main.http_server import HttpServer
            self.http = HttpServer(CommandHandler(self), port,
                                   public=bool(getattr(self.config, "PUBLIC_HTTP_PORT", False)),
                                   max_client=int(getattr(self.config, "HTTP_MAX_CLIENT", 128) or 128))
            self.http.start()
            for cmd in getattr(self.config, "COMMANDS", None) or []:
                self.http.handler.manual_cmd(cmd)
        qport = int(getattr(self.config, "HTTP_QUERY_PORT", 0) or 0)
        if qport:
            from stellarcore.main.command_handler import QueryHandler
            from stellarcore.main.http_server import HttpServer
            self.query_http = HttpServer(QueryHandler(self), qport, name="query")
            self.query_http.start()
        lcl = self.ledger_manager.last_closed
        log.info("Node %s started at ledger %d (%s), protocol %d", self.config.NODE_SEED.strkey_public(),
                 lcl.header.ledgerSeq, lcl.hash.hex()[:6], lcl.header.ledgerVersion)

    def run_forever(self) -> None:
        """start(), then serve until SIGINT/SIGTERM."""
        import gevent
        from gevent.event import Event
        done = Event()
        self.start()
        for sig in (signal.SIGINT, signal.SIGTERM):
            gevent.signal_handler(sig, done.set)
        done.wait()
        self.stop()

    def stop(self) -> None:
        if self._stopping:
            return
        self._stopping = True
        if self.herder is not None:
            self.herder.stop()
        for server in (self.http, self.query_http):
            if server is not None:
                server.stop()
        if self.meta_stream is not None:
            self.meta_stream.close()
        self.bucket_manager.shutdown()
        log.info("Stopped")

    # -- queries the command handler uses -------------------------------------------
    def query_snapshots(self, ledger_seq=None):
        """(seq, live, hot) BucketListDB snapshots of the last closed ledger;
        None for any other ledger (no snapshot history is kept)."""
        lm = self.ledger_manager
        seq = lm.last_closed_ledger_num()
        if ledger_seq is not None and ledger_seq != seq:
            return None
        return (seq, LiveBucketListSnapshot(lm.live, self.bucket_manager),
                HotArchiveBucketListSnapshot(lm.hot, self.bucket_manager))

    def offline_info(self) -> dict:
        """offline-info: the stored last closed ledger, without starting."""
        from stellarcore.main.command_handler import json_info
        self.ledger_manager.load_last_known_ledger()
        return json_info(self)
