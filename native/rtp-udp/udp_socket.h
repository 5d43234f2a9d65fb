// UDP sockets from text (udp_socket.c), shared by the media workers' sockets (rtp_udp.c) and the SIP transport's (sip_udp.c).
#pragma once
#include <node_api.h>
#include <sys/socket.h>

/** host + port → sockaddr for a socket of `family` (an IPv4 address on an IPv6 socket is mapped); 0 when `host` is no address. */
int parse_address(const char *host, int port, int family, struct sockaddr_storage *out, socklen_t *len);

/**
 * A non-blocking UDP socket bound to host:port, of the address's family
 * (in *family); its descriptor, or -errno with *syscall naming the call that failed.
 */
int open_udp_socket(const char *host, int port, int *family, const char **syscall);

/** Throws an Error whose code is the errno's name (EADDRINUSE …) and whose message names the call and, when given, the address. */
napi_value throw_errno(napi_env env, const char *syscall, int err, const char *host, int port);
