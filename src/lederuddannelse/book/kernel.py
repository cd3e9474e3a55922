"""The kernel manager of every chapter run (papermill and nbclient start it by its name)."""

from __future__ import annotations

import os
import sys

from jupyter_client.manager import AsyncKernelManager

from lederuddannelse.book.execute import ENV_KERNEL_DIR


class IPCKernelManager(AsyncKernelManager):
    """The kernel manager of every run: asynchronous, so that nbclient notices a dead kernel
    at once and enforces the cell timeout; talking over local sockets in the run's temporary
    folder where the platform has them (private; no warning about unencrypted TCP)."""

    def __init__(self, **kwargs):
        if sys.platform != "win32" and os.environ.get(ENV_KERNEL_DIR):
            kwargs.setdefault("transport", "ipc")
            kwargs.setdefault("ip", os.path.join(os.environ[ENV_KERNEL_DIR], "kernel"))
        super().__init__(**kwargs)
