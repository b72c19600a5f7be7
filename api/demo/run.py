"""``ingestion-agent demo``: the service, a local S3 and a webhook receiver, all on loopback.

Start order: SeaweedFS with the sample bucket, the webhook receiver, then the service;
then the guide is printed and the demo waits. Ctrl-C (or SIGTERM) stops everything in
reverse order; a child that dies on its own stops the demo with exit code 1.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
from collections.abc import Callable

from aiohttp import web

from api.demo.command import console_script
from api.demo.errors import DemoError
from api.demo.folder import claim_data_dir
from api.demo.guide import DemoGuide
from api.demo.options import DemoOptions
from api.demo.ports import free_port, is_free
from api.demo.processes import ChildProcess
from api.demo.receiver import HOOK_PATH, WebhookReceiver
from api.demo.samples import DEMO_PREFIX
from api.demo.seaweed import STOP_GRACE, LocalS3, start_local_s3
from api.demo.service import start_service
from api.terminal.options import login_name
from connectors.webhook.signing import generate_signing_secret

__all__ = ["check_ports", "run_demo"]

_INTERRUPTED = 130
_TWIN_OFFSET = 10000  # SeaweedFS's gRPC port beside each of its ports

Say = Callable[[str], None]


def _say(text: str) -> None:
    # Flushed at once: the output may be a pipe that someone waits on for the ready line.
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def check_ports(options: DemoOptions) -> None:
    """Refuse a port that is taken, before anything is started or deleted.

    Raises:
        DemoError: The service's port, or a port given on the command line, is in use.
    """
    if not is_free(options.port):
        raise DemoError(f"port {options.port} is in use: stop what uses it or pass --port")
    s3 = options.s3_port
    if s3 is not None and not (is_free(s3) and is_free(s3 + _TWIN_OFFSET)):
        raise DemoError(f"port {s3} (or {s3 + _TWIN_OFFSET}) is in use: pick another --s3-port")
    hook = options.webhook_port
    if hook is not None and not is_free(hook):
        raise DemoError(f"port {hook} is in use: pick another --webhook-port")


async def _serve_receiver(receiver: WebhookReceiver, port: int) -> web.AppRunner:
    runner = web.AppRunner(receiver.app(), access_log=None)
    await runner.setup()
    try:
        await web.TCPSite(runner, "127.0.0.1", port).start()
    except OSError as exc:
        await runner.cleanup()
        raise DemoError(f"port {port} is in use: pick another --webhook-port") from exc
    return runner


async def _demo(options: DemoOptions, say: Say, stop: asyncio.Event, ready: asyncio.Event) -> int:
    # Ports first: a second demo started by mistake must stop before it empties the folder
    # (the folder's lock covers one started on other ports).
    check_ports(options)
    secret = generate_signing_secret()
    async with contextlib.AsyncExitStack() as stack:
        folder = stack.enter_context(claim_data_dir(options.data_dir))
        say("Starting SeaweedFS (a local S3 server) with the sample bucket…")
        s3 = await start_local_s3(folder / "s3", options.s3_port)
        stack.push_async_callback(_stop_s3, s3, say)
        receiver = WebhookReceiver(secret, folder / "webhook" / "deliveries", say)
        webhook_port = options.webhook_port or free_port()
        runner = await _serve_receiver(receiver, webhook_port)
        stack.push_async_callback(runner.cleanup)
        say("Starting the service…")
        service = await start_service(options.port, folder / "service", folder / "service.log")
        stack.push_async_callback(service.stop)
        guide = DemoGuide(
            service_url=service.url,
            web_chat=service.features.web_chat,
            pull_available=service.features.pull,
            s3_endpoint=s3.endpoint_url,
            bucket=s3.bucket,
            prefix=DEMO_PREFIX,
            files=s3.files,
            access_key_id=s3.reader.access_key_id,
            secret_access_key=s3.reader.secret_access_key,
            webhook_url=f"http://127.0.0.1:{webhook_port}{HOOK_PATH}",
            signing_secret=secret,
            data_dir=str(folder),
            user=login_name(),
            program=console_script(),
        )
        say(guide.text())
        ready.set()
        died = await _until_stopped(stop, {c.name: c for c in (s3.child, service.child)})
        if died is not None:
            say(f"! {died} stopped on its own: see the logs in {folder}. Stopping the demo.")
            return 1
        say("Stopping the service and the webhook receiver…")
    say("Stopped.")
    return 0


async def _until_stopped(stop: asyncio.Event, children: dict[str, ChildProcess]) -> str | None:
    """Wait for Ctrl-C; the name of a child that exited first, if one did."""
    exits = {asyncio.create_task(child.process.wait()): name for name, child in children.items()}
    stopping = asyncio.create_task(stop.wait())
    done, _ = await asyncio.wait({stopping, *exits}, return_when=asyncio.FIRST_COMPLETED)
    for task in (stopping, *exits):
        task.cancel()
    if stop.is_set():
        return None
    return next(exits[task] for task in done if task in exits)


async def _stop_s3(s3: LocalS3, say: Say) -> None:
    say(f"Stopping SeaweedFS (a few seconds, {STOP_GRACE:.0f} at most)…")
    await s3.stop()


async def _main(options: DemoOptions, say: Say) -> int:
    loop = asyncio.get_running_loop()
    stop, ready = asyncio.Event(), asyncio.Event()
    work = asyncio.create_task(_demo(options, say, stop, ready))

    def on_signal() -> None:
        # Once running, the demo stops itself on ``stop``; while starting, it is cut short.
        # Either way only once: a second Ctrl-C must not interrupt the clean-up.
        if not stop.is_set() and not ready.is_set():
            work.cancel()
        stop.set()

    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, on_signal)
    try:
        return await work
    except asyncio.CancelledError:
        if not stop.is_set():
            raise
        say("Stopped before the demo was ready.")
        return _INTERRUPTED
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)


def run_demo(options: DemoOptions) -> int:
    """Run ``ingestion-agent demo`` until Ctrl-C; the process exit code."""
    try:
        return asyncio.run(_main(options, _say))
    except DemoError as exc:
        sys.stderr.write(f"ingestion-agent demo: {exc}\n")
        return 1
