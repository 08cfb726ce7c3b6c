"""The AWS emulator `make run` serves: MiniStack's ASGI application behind local_stack.guard
(MiniStack grants every web origin by default). Served by hypercorn in the emulator's venv:

    python -m hypercorn local_stack.emulator_app:app --bind 127.0.0.1:4566
"""

from ministack.app import app as ministack

from local_stack.guard import asgi_loopback_only

app = asgi_loopback_only(ministack)
