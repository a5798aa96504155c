"""The offline guard: run first in a notebook (or as an IPython start-up file), it makes any
connection to a non-loopback address raise. The kernel's own ZMQ sockets live in libzmq, not in
Python's socket module, so they are unaffected."""

OFFLINE_GUARD = '''
import socket as _socket
def _offline_only(connect):
    def guarded(self, address, *args):
        host = address[0] if isinstance(address, tuple) else None
        if host is not None and host not in ("127.0.0.1", "::1", "localhost"):
            raise OSError(f"network access attempted during an offline run: {address}")
        return connect(self, address, *args)
    return guarded
_socket.socket.connect = _offline_only(_socket.socket.connect)
_socket.socket.connect_ex = _offline_only(_socket.socket.connect_ex)
_getaddrinfo = _socket.getaddrinfo
def _local_names_only(host, *args, **kwargs):
    if host not in (None, "127.0.0.1", "::1", "localhost"):
        raise OSError(f"network access attempted during an offline run: name lookup of {host!r}")
    return _getaddrinfo(host, *args, **kwargs)
_socket.getaddrinfo = _local_names_only
del _offline_only, _local_names_only
'''
