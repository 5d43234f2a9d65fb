// Batched UDP for the RTP media workers (src/telephony/sip/rtp/rtp-udp-batch.ts).
//
// Node's dgram costs a libuv callback, a Buffer and a JS call per datagram
// received and a request object per datagram sent. A media worker moves a
// packet per leg every 20 ms on thousands of sockets, so this module owns a
// worker's sockets and moves a whole step's packets across the JS/C boundary
// at once:
//   receive(io): everything pending on all the sockets (epoll + recvmmsg)
//                into the receive buffer, one fixed slot per datagram;
//   flush(io, n): the n packets JS wrote into the send buffer, each to its
//                socket's destination (sendmsg each: a step sends one packet
//                per socket, so there is nothing for sendmmsg to group).
// No libuv, no threads: the worker calls these from its own loop.
//
// Receive slot (SLOT_BYTES each, at i * SLOT_BYTES):
//   u32 socket, u16 length, u16 flags (bit 0: the source differs from the
//   socket's previous datagram's: addressAt(io, slot) tells it), f64 arrival
//   (CLOCK_MONOTONIC ms, from the kernel's receive timestamp), u16 source
//   port, u16 unused, u32 unused, then the datagram at SLOT_HEADER.
// Send record (4-byte aligned, back to back):
//   u32 socket, u16 length, u16 unused, then the datagram padded to 4.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <node_api.h>

#define SLOT_BYTES 2048
#define SLOT_HEADER 24
#define MAX_DATAGRAM (SLOT_BYTES - SLOT_HEADER)
#define BATCH 16
#define EVENTS 512
#define CONTROL_BYTES 64

typedef struct {
  int fd; // -1: free
  int family;
  int connected;
  int has_target;
  struct sockaddr_storage target;
  socklen_t target_len;
  struct sockaddr_storage source;
  socklen_t source_len;
} Sock;

typedef struct {
  int epfd;
  Sock *socks;
  uint32_t count;
  uint32_t capacity;
  uint8_t *recv;
  size_t recv_bytes;
  /** The source of each receive slot whose flags say it changed. */
  struct sockaddr_storage *sources;
  uint8_t *send;
  size_t send_bytes;
  napi_ref recv_ref;
  napi_ref send_ref;
} Io;

#define CHECK(env, call)                                  \
  do {                                                    \
    if ((call) != napi_ok) {                              \
      napi_throw_error((env), NULL, "rtp_udp: " #call);   \
      return NULL;                                        \
    }                                                     \
  } while (0)

static napi_value throw_errno(napi_env env, const char *syscall, int err, const char *host, int port) {
  char message[256];
  if (host)
    snprintf(message, sizeof message, "%s %s %s:%d", syscall, strerrorname_np(err) ? strerrorname_np(err) : "EIO", host, port);
  else
    snprintf(message, sizeof message, "%s %s", syscall, strerrorname_np(err) ? strerrorname_np(err) : "EIO");
  napi_throw_error(env, strerrorname_np(err), message);
  return NULL;
}

/** Close every socket: when the handle is collected, and when its thread ends (a terminated worker collects nothing). */
static void io_close_all(void *data) {
  Io *io = data;
  for (uint32_t i = 0; i < io->count; i++)
    if (io->socks[i].fd >= 0) {
      close(io->socks[i].fd);
      io->socks[i].fd = -1;
    }
  if (io->epfd >= 0) close(io->epfd);
  io->epfd = -1;
}

static void io_finalize(napi_env env, void *data, void *hint) {
  (void)hint;
  Io *io = data;
  napi_remove_env_cleanup_hook(env, io_close_all, io);
  io_close_all(io);
  if (io->recv_ref) napi_delete_reference(env, io->recv_ref);
  if (io->send_ref) napi_delete_reference(env, io->send_ref);
  free(io->socks);
  free(io->sources);
  free(io);
}

static Io *get_io(napi_env env, napi_value v) {
  void *data = NULL;
  if (napi_get_value_external(env, v, &data) != napi_ok || !data) {
    napi_throw_type_error(env, NULL, "rtp_udp: not an io handle");
    return NULL;
  }
  return data;
}

/** The call's first `n` arguments into argv, the first being the io handle (NULL, with an exception pending, if not). */
static Io *call_args(napi_env env, napi_callback_info info, size_t n, napi_value *argv) {
  size_t argc = n;
  for (size_t i = 0; i < n; i++) napi_get_undefined(env, &argv[i]);
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) {
    napi_throw_error(env, NULL, "rtp_udp: arguments");
    return NULL;
  }
  return get_io(env, argv[0]);
}

static Sock *get_sock(Io *io, napi_env env, napi_value v) {
  uint32_t i;
  if (napi_get_value_uint32(env, v, &i) != napi_ok || i >= io->count || io->socks[i].fd < 0) return NULL;
  return &io->socks[i];
}

/** host + port → sockaddr for a socket of `family` (an IPv4 address on an IPv6 socket is mapped). */
static int parse_address(const char *host, int port, int family, struct sockaddr_storage *out, socklen_t *len) {
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

static int same_address(const struct sockaddr_storage *a, socklen_t alen, const struct sockaddr_storage *b, socklen_t blen) {
  if (alen != blen || a->ss_family != b->ss_family) return 0;
  if (a->ss_family == AF_INET) {
    const struct sockaddr_in *x = (const void *)a, *y = (const void *)b;
    return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
  }
  const struct sockaddr_in6 *x = (const void *)a, *y = (const void *)b;
  return x->sin6_port == y->sin6_port && memcmp(&x->sin6_addr, &y->sin6_addr, 16) == 0;
}

/** Read up to `size` characters of a JS string argument into `buf`. */
static int get_string(napi_env env, napi_value v, char *buf, size_t size) {
  size_t n;
  return napi_get_value_string_utf8(env, v, buf, size, &n) == napi_ok;
}

static int buffer_of(napi_env env, napi_value v, uint8_t **data, size_t *bytes) {
  void *p;
  if (napi_get_arraybuffer_info(env, v, &p, bytes) != napi_ok) return 0;
  *data = p;
  return 1;
}

// create(recv: ArrayBuffer, send: ArrayBuffer): io
static napi_value create(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], out;
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  Io *io = calloc(1, sizeof *io);
  if (!io) return throw_errno(env, "calloc", ENOMEM, NULL, 0);
  io->epfd = -1;
  if (argc < 2 || !buffer_of(env, argv[0], &io->recv, &io->recv_bytes) || !buffer_of(env, argv[1], &io->send, &io->send_bytes)) {
    free(io);
    napi_throw_type_error(env, NULL, "rtp_udp.create(recv: ArrayBuffer, send: ArrayBuffer)");
    return NULL;
  }
  io->sources = calloc(io->recv_bytes / SLOT_BYTES + 1, sizeof *io->sources);
  io->epfd = epoll_create1(EPOLL_CLOEXEC);
  if (io->epfd < 0 || !io->sources) {
    int err = io->epfd < 0 ? errno : ENOMEM;
    if (io->epfd >= 0) close(io->epfd);
    free(io->sources);
    free(io);
    return throw_errno(env, "epoll_create1", err, NULL, 0);
  }
  napi_create_reference(env, argv[0], 1, &io->recv_ref);
  napi_create_reference(env, argv[1], 1, &io->send_ref);
  CHECK(env, napi_create_external(env, io, io_finalize, NULL, &out));
  napi_add_env_cleanup_hook(env, io_close_all, io);
  return out;
}

// bind(io, host: string, port: number): socket index (throws with the errno's name as code)
static napi_value bind_socket(napi_env env, napi_callback_info info) {
  napi_value argv[3], out;
  Io *io = call_args(env, info, 3, argv);
  if (!io) return NULL;
  char host[64];
  int32_t port;
  if (!get_string(env, argv[1], host, sizeof host) || napi_get_value_int32(env, argv[2], &port) != napi_ok) {
    napi_throw_type_error(env, NULL, "rtp_udp.bind(io, host, port)");
    return NULL;
  }
  int family = strchr(host, ':') ? AF_INET6 : AF_INET;
  struct sockaddr_storage addr;
  socklen_t len;
  if (!parse_address(host, port, family, &addr, &len)) return throw_errno(env, "bind", EINVAL, host, port);
  int fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return throw_errno(env, "socket", errno, host, port);
  int on = 1;
  setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on);
  if (bind(fd, (struct sockaddr *)&addr, len) < 0) {
    int err = errno;
    close(fd);
    return throw_errno(env, "bind", err, host, port);
  }
  uint32_t i = 0;
  while (i < io->count && io->socks[i].fd >= 0) i++;
  if (i == io->count) {
    if (io->count == io->capacity) {
      uint32_t capacity = io->capacity ? io->capacity * 2 : 64;
      Sock *grown = realloc(io->socks, capacity * sizeof *grown);
      if (!grown) {
        close(fd);
        return throw_errno(env, "realloc", ENOMEM, NULL, 0);
      }
      io->socks = grown;
      io->capacity = capacity;
    }
    io->count++;
  }
  Sock *s = &io->socks[i];
  memset(s, 0, sizeof *s);
  s->fd = fd;
  s->family = family;
  struct epoll_event ev = { .events = EPOLLIN, .data = { .u32 = i } };
  if (epoll_ctl(io->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
    int err = errno;
    close(fd);
    s->fd = -1;
    return throw_errno(env, "epoll_ctl", err, NULL, 0);
  }
  CHECK(env, napi_create_uint32(env, i, &out));
  return out;
}

// close(io, socket)
static napi_value close_socket(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  Io *io = call_args(env, info, 2, argv);
  if (!io) return NULL;
  Sock *s = get_sock(io, env, argv[1]);
  if (s) {
    epoll_ctl(io->epfd, EPOLL_CTL_DEL, s->fd, NULL);
    close(s->fd);
    s->fd = -1;
  }
  return NULL;
}

// target(io, socket, host, port): where the socket's packets go; false if the address is not one
static napi_value target(napi_env env, napi_callback_info info) {
  napi_value argv[4], out;
  Io *io = call_args(env, info, 4, argv);
  if (!io) return NULL;
  Sock *s = get_sock(io, env, argv[1]);
  char host[64];
  int32_t port;
  int ok = s && get_string(env, argv[2], host, sizeof host) && napi_get_value_int32(env, argv[3], &port) == napi_ok &&
           parse_address(host, port, s->family, &s->target, &s->target_len);
  if (s) s->has_target = ok;
  CHECK(env, napi_get_boolean(env, ok, &out));
  return out;
}

// connect(io, socket, host | null, port): true once connected to host:port; null disconnects
static napi_value connect_socket(napi_env env, napi_callback_info info) {
  napi_value argv[4], out;
  Io *io = call_args(env, info, 4, argv);
  if (!io) return NULL;
  Sock *s = get_sock(io, env, argv[1]);
  int ok = 0;
  napi_valuetype type;
  if (s && napi_typeof(env, argv[2], &type) == napi_ok) {
    if (type != napi_string) {
      struct sockaddr unspec = { .sa_family = AF_UNSPEC };
      connect(s->fd, &unspec, sizeof unspec);
      s->connected = 0;
    } else {
      char host[64];
      int32_t port;
      struct sockaddr_storage addr;
      socklen_t len;
      if (get_string(env, argv[2], host, sizeof host) && napi_get_value_int32(env, argv[3], &port) == napi_ok &&
          parse_address(host, port, s->family, &addr, &len) && connect(s->fd, (struct sockaddr *)&addr, len) == 0) {
        s->connected = 1;
        s->target = addr;
        s->target_len = len;
        s->has_target = 1;
        ok = 1;
      }
    }
  }
  CHECK(env, napi_get_boolean(env, ok, &out));
  return out;
}

static double clock_ms(clockid_t id) {
  struct timespec t;
  clock_gettime(id, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/**
 * Kernel timestamps are CLOCK_REALTIME; the workers' clock is CLOCK_MONOTONIC.
 * The offset is read between two monotonic readings, the closest pair of a
 * few tries: a thread preempted between two readings would shift every
 * arrival time of the batch by the time it was away.
 */
static double realtime_minus_monotonic(void) {
  double best = 0, gap = 1e9;
  for (int i = 0; i < 4 && gap > 0.02; i++) {
    double m1 = clock_ms(CLOCK_MONOTONIC), r = clock_ms(CLOCK_REALTIME), m2 = clock_ms(CLOCK_MONOTONIC);
    if (m2 - m1 < gap) {
      gap = m2 - m1;
      best = r - (m1 + m2) / 2;
    }
  }
  return best;
}

// receive(io): datagrams written into the receive buffer (call again while it comes back full)
static napi_value receive(napi_env env, napi_callback_info info) {
  napi_value argv[1], out;
  Io *io = call_args(env, info, 1, argv);
  if (!io) return NULL;
  uint32_t slots = io->recv_bytes / SLOT_BYTES, used = 0;
  double real_minus_mono = realtime_minus_monotonic();
  struct epoll_event events[EVENTS];
  struct mmsghdr msgs[BATCH];
  struct iovec iov[BATCH];
  struct sockaddr_storage from[BATCH];
  char control[BATCH][CONTROL_BYTES];
  int n;
  do {
    n = epoll_wait(io->epfd, events, EVENTS, 0);
    for (int e = 0; e < n && used < slots; e++) {
      uint32_t index = events[e].data.u32;
      if (index >= io->count || io->socks[index].fd < 0) continue;
      Sock *s = &io->socks[index];
      for (;;) {
        uint32_t want = slots - used < BATCH ? slots - used : BATCH;
        for (uint32_t k = 0; k < want; k++) {
          iov[k].iov_base = io->recv + (size_t)(used + k) * SLOT_BYTES + SLOT_HEADER;
          iov[k].iov_len = MAX_DATAGRAM;
          memset(&msgs[k].msg_hdr, 0, sizeof msgs[k].msg_hdr);
          msgs[k].msg_hdr.msg_name = &from[k];
          msgs[k].msg_hdr.msg_namelen = sizeof from[k];
          msgs[k].msg_hdr.msg_iov = &iov[k];
          msgs[k].msg_hdr.msg_iovlen = 1;
          msgs[k].msg_hdr.msg_control = control[k];
          msgs[k].msg_hdr.msg_controllen = CONTROL_BYTES;
        }
        int got = recvmmsg(s->fd, msgs, want, MSG_DONTWAIT, NULL);
        if (got <= 0) break;
        for (int k = 0; k < got; k++) {
          struct msghdr *h = &msgs[k].msg_hdr;
          if (h->msg_flags & MSG_TRUNC) continue; // longer than any RTP/RTCP packet we take
          uint8_t *slot = io->recv + (size_t)used * SLOT_BYTES;
          double arrival = clock_ms(CLOCK_MONOTONIC);
          for (struct cmsghdr *c = CMSG_FIRSTHDR(h); c; c = CMSG_NXTHDR(h, c)) {
            if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
              struct timespec t;
              memcpy(&t, CMSG_DATA(c), sizeof t);
              arrival = t.tv_sec * 1e3 + t.tv_nsec / 1e6 - real_minus_mono;
            }
          }
          uint16_t flags = 0;
          if (!same_address(&from[k], h->msg_namelen, &s->source, s->source_len)) {
            memcpy(&s->source, &from[k], h->msg_namelen);
            s->source_len = h->msg_namelen;
            io->sources[used] = s->source;
            flags = 1;
          }
          uint16_t port = ntohs(from[k].ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&from[k])->sin6_port : ((struct sockaddr_in *)&from[k])->sin_port);
          uint32_t sock = index;
          uint16_t length = (uint16_t)msgs[k].msg_len;
          memcpy(slot, &sock, 4);
          memcpy(slot + 4, &length, 2);
          memcpy(slot + 6, &flags, 2);
          memcpy(slot + 8, &arrival, 8);
          memcpy(slot + 16, &port, 2);
          // A truncated datagram before this one left its slot free: move this one down.
          uint8_t *data = iov[k].iov_base;
          if (data != slot + SLOT_HEADER) memmove(slot + SLOT_HEADER, data, length);
          used++;
        }
        if ((uint32_t)got < want || used == slots) break;
      }
    }
  } while (n == EVENTS && used < slots);
  CHECK(env, napi_create_uint32(env, used, &out));
  return out;
}

// addressAt(io, slot): the source address (text) of the datagram in receive slot `slot` (one whose flags say it changed)
static napi_value address_at(napi_env env, napi_callback_info info) {
  napi_value argv[2], out;
  Io *io = call_args(env, info, 2, argv);
  if (!io) return NULL;
  uint32_t slot;
  char text[INET6_ADDRSTRLEN] = "";
  if (napi_get_value_uint32(env, argv[1], &slot) == napi_ok && slot < io->recv_bytes / SLOT_BYTES) {
    struct sockaddr_storage *a = &io->sources[slot];
    if (a->ss_family == AF_INET) inet_ntop(AF_INET, &((struct sockaddr_in *)a)->sin_addr, text, sizeof text);
    else if (a->ss_family == AF_INET6) inet_ntop(AF_INET6, &((struct sockaddr_in6 *)a)->sin6_addr, text, sizeof text);
  }
  CHECK(env, napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &out));
  return out;
}

// flush(io, count): send the first `count` records of the send buffer; returns how many the kernel took
static napi_value flush(napi_env env, napi_callback_info info) {
  napi_value argv[2], out;
  Io *io = call_args(env, info, 2, argv);
  if (!io) return NULL;
  uint32_t count;
  CHECK(env, napi_get_value_uint32(env, argv[1], &count));
  size_t at = 0;
  uint32_t sent = 0;
  for (uint32_t i = 0; i < count && at + 8 <= io->send_bytes; i++) {
    uint32_t index;
    uint16_t length;
    memcpy(&index, io->send + at, 4);
    memcpy(&length, io->send + at + 4, 2);
    uint8_t *data = io->send + at + 8;
    at += 8 + ((length + 3u) & ~3u);
    if (at > io->send_bytes) break;
    if (index >= io->count) continue;
    Sock *s = &io->socks[index];
    if (s->fd < 0 || !s->has_target) continue;
    struct iovec v = { .iov_base = data, .iov_len = length };
    struct msghdr h = { .msg_iov = &v, .msg_iovlen = 1 };
    if (!s->connected) {
      h.msg_name = &s->target;
      h.msg_namelen = s->target_len;
    }
    // A refused send (ICMP unreachable, a full buffer) loses that packet only, as with dgram.
    if (sendmsg(s->fd, &h, MSG_DONTWAIT) >= 0) sent++;
  }
  CHECK(env, napi_create_uint32(env, sent, &out));
  return out;
}

NAPI_MODULE_INIT() {
  napi_property_descriptor props[] = {
    { "create", NULL, create, NULL, NULL, NULL, napi_enumerable, NULL },
    { "bind", NULL, bind_socket, NULL, NULL, NULL, napi_enumerable, NULL },
    { "close", NULL, close_socket, NULL, NULL, NULL, napi_enumerable, NULL },
    { "target", NULL, target, NULL, NULL, NULL, napi_enumerable, NULL },
    { "connect", NULL, connect_socket, NULL, NULL, NULL, napi_enumerable, NULL },
    { "receive", NULL, receive, NULL, NULL, NULL, napi_enumerable, NULL },
    { "addressAt", NULL, address_at, NULL, NULL, NULL, napi_enumerable, NULL },
    { "flush", NULL, flush, NULL, NULL, NULL, napi_enumerable, NULL },
  };
  napi_value slot, header;
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  napi_create_uint32(env, SLOT_BYTES, &slot);
  napi_create_uint32(env, SLOT_HEADER, &header);
  napi_set_named_property(env, exports, "SLOT_BYTES", slot);
  napi_set_named_property(env, exports, "SLOT_HEADER", header);
  return exports;
}
