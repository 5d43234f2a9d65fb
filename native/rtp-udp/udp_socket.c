// UDP sockets from text (udp_socket.h).
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "udp_socket.h"

int parse_address(const char *host, int port, int family, struct sockaddr_storage *out, socklen_t *len) {
  memset(out, 0, sizeof *out);
  struct in_addr a4;
  if (inet_pton(AF_INET, host, &a4) == 1) {
    if (family == AF_INET) {
      struct sockaddr_in *s = (struct sockaddr_in *)out;
      s->sin_family = AF_INET;
      s->sin_port = htons(port);
      s->sin_addr = a4;
      *len = sizeof *s;
      return 1;
    }
    struct sockaddr_in6 *s = (struct sockaddr_in6 *)out;
    s->sin6_family = AF_INET6;
    s->sin6_port = htons(port);
    s->sin6_addr.s6_addr[10] = 0xff;
    s->sin6_addr.s6_addr[11] = 0xff;
    memcpy(&s->sin6_addr.s6_addr[12], &a4, 4);
    *len = sizeof *s;
    return 1;
  }
  struct sockaddr_in6 *s = (struct sockaddr_in6 *)out;
  if (family == AF_INET6 && inet_pton(AF_INET6, host, &s->sin6_addr) == 1) {
    s->sin6_family = AF_INET6;
    s->sin6_port = htons(port);
    *len = sizeof *s;
    return 1;
  }
  return 0;
}

int open_udp_socket(const char *host, int port, int *family, const char **syscall) {
  *family = strchr(host, ':') ? AF_INET6 : AF_INET;
  struct sockaddr_storage addr;
  socklen_t len;
  *syscall = "bind";
  if (!parse_address(host, port, *family, &addr, &len)) return -EINVAL;
  int fd = socket(*family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    *syscall = "socket";
    return -errno;
  }
  if (bind(fd, (struct sockaddr *)&addr, len) < 0) {
    int err = errno;
    close(fd);
    return -err;
  }
  return fd;
}

napi_value throw_errno(napi_env env, const char *syscall, int err, const char *host, int port) {
  char message[256];
  const char *name = strerrorname_np(err) ? strerrorname_np(err) : "EIO";
  if (host)
    snprintf(message, sizeof message, "%s %s %s:%d", syscall, name, host, port);
  else
    snprintf(message, sizeof message, "%s %s", syscall, name);
  napi_throw_error(env, name, message);
  return NULL;
}
