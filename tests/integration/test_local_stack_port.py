"""The local run's port: one the previous run left in TIME_WAIT is free again (real sockets
on loopback)."""

from __future__ import annotations

import socket

from local_stack.emulator import free_port


def test_a_port_left_in_time_wait_by_the_previous_run_is_free() -> None:
    """The server side closes first (as the emulator does when make run stops), leaving its
    port in TIME-WAIT; a new run must still bind it. The listener reuses addresses, as the
    emulator's server (asyncio) does."""
    with socket.socket() as listener:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        client = socket.create_connection(("127.0.0.1", port))
        accepted, _ = listener.accept()
        accepted.close()  # the server's active close: TIME-WAIT on its side
        client.recv(1)
        client.close()
    assert free_port(port, "PORT") == port
