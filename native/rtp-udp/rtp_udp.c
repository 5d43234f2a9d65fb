// Batched UDP for the RTP media workers (src/telephony/sip/rtp/rtp-udp-batch.ts).
//
// Node's dgram costs a libuv callback, a Buffer and a JS call per datagram
// received and a request object per datagram sent. A media worker moves a
// packet per leg every 20 ms on thousands of sockets, so this module owns a
// worker's sockets and moves a whole step's packets across the JS/C boundary
// at once:
//   receive(io): everything pending on all the sockets into the receive
//                buffer, one fixed slot per datagram;
//   flush(io, n): the n packets JS wrote into the send buffer, each to its
//                socket's destination.
// No libuv, no threads: the worker calls these from its own loop.
//
// Two ways to the kernel, the same buffers and calls (kind(io) says which):
//   io_uring (uring.c: raw system calls, no liburing): a receive
//     (RECVMSG) stays armed on every socket; flush puts the step's sends in
//     the submission queue and enters the kernel once for all of them;
//     receive enters once to run and take the receives completed since (and
//     again with those re-armed, for datagrams waiting behind them). A few
//     system calls per step instead of one per datagram each way.
//   epoll (where io_uring cannot be set up: an old kernel, a seccomp filter
//     such as Docker's default, io_uring_disabled): epoll_wait, recvmmsg per
//     readable socket, sendmsg per packet.
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
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <node_api.h>
#include "udp_socket.h"
#include "sip_udp.h"
#include "thread_priority.h"
#include "uring.h"

#define SLOT_BYTES 2048
#define SLOT_HEADER 24
#define MAX_DATAGRAM (SLOT_BYTES - SLOT_HEADER)
#define BATCH 16
#define EVENTS 512
#define CONTROL_BYTES 64
/** Submission entries: a step's sends and re-armed receives, entered in chunks of this many. */
#define RING_SQ 2048
/** Completions: at most one receive per socket is outstanding, sends post only failures (the kernel keeps any overflow). */
#define RING_CQ 16384
/** user_data of entries that are not a socket's receive (whose user_data is its socket index). */
#define TAG_SEND (1ull << 62)
#define TAG_CANCEL (1ull << 61)
/**
 * The buffers the kernel picks from for every datagram a socket's
 * multishot receive takes, each with its header, source, control and up to
 * MAX_DATAGRAM bytes; what arrives between two receive() calls should fit
 * (else the sockets that find none wait, re-armed, for the next call).
 */
#define RECV_BUFFERS 4096
#define RECV_NAME ((uint32_t)sizeof(struct sockaddr_in6))
#define RECV_DATA (sizeof(UringRecvmsgOut) + RECV_NAME + CONTROL_BYTES)
#define RECV_BUFFER_BYTES ((RECV_DATA + MAX_DATAGRAM + 63) & ~(size_t)63)
/** How long close waits for the kernel to give a cancelled receive back (each try), and how many tries. */
#define CANCEL_WAIT_MS 10
#define CANCEL_TRIES 100

typedef struct {
  int fd; // -1: free (unless its receive is still with the kernel: armed)
  int family;
  int connected;
  int has_target;
  struct sockaddr_storage target;
  socklen_t target_len;
  struct sockaddr_storage source;
  socklen_t source_len;
  // io_uring only:
  uint8_t armed;   // its receive is queued or with the kernel
  uint8_t closing; // close() cancelled the receive and waits for it back
  uint32_t gen;    // counts closes, so a completion noted for an earlier socket in this slot is not taken for this one
} Sock;

/** A completion of a socket's receive: a datagram in buffer `bid`, or an error; `rearm` when the receive ended with it. */
typedef struct {
  uint32_t index, gen;
  int32_t res;
  uint16_t bid;
  uint8_t has_buffer;
  uint8_t rearm;
} Ready;

typedef struct {
  int epfd;
  Uring ring; // ring.fd < 0: the epoll path
  Sock *socks;
  uint32_t count;
  uint32_t capacity;
  /** Sockets closed since the last close_marked (capacity entries: a socket is in it once). */
  uint32_t *marked;
  uint32_t marked_count;
  uint8_t *recv;
  size_t recv_bytes;
  /** The source of each receive slot whose flags say it changed. */
  struct sockaddr_storage *sources;
  uint8_t *send;
  size_t send_bytes;
  napi_ref recv_ref;
  napi_ref send_ref;
  // io_uring only:
  Ready *ready; // one per socket and one per receive buffer: each holds at most a buffer or an ended receive
  uint32_t ready_count;
  UringBuf *buffer_ring; // RECV_BUFFERS entries, mapped for the kernel
  uint8_t *buffers;      // RECV_BUFFERS × RECV_BUFFER_BYTES
  uint16_t buffer_tail;
  struct msghdr multi_msg; // what every receive asks for: the name and control space in each buffer
  /** A SENDMSG's header for each submission entry (sends on unconnected sockets name their destination). */
  struct msghdr *send_msgs;
  struct iovec *send_iovs;
} Io;

#define CHECK(env, call)                                  \
  do {                                                    \
    if ((call) != napi_ok) {                              \
      napi_throw_error((env), NULL, "rtp_udp: " #call);   \
      return NULL;                                        \
    }                                                     \
  } while (0)

static int ring_mode(const Io *io) {
  return io->ring.fd >= 0;
}

static void free_buffers(Io *io) {
  if (io->buffer_ring) munmap(io->buffer_ring, RECV_BUFFERS * sizeof(UringBuf));
  if (io->buffers) munmap(io->buffers, RECV_BUFFERS * RECV_BUFFER_BYTES);
  io->buffer_ring = NULL;
  io->buffers = NULL;
}

/** Provided buffer `bid` back to the kernel (published by publish_buffers). */
static void recycle(Io *io, uint16_t bid) {
  UringBuf *b = &io->buffer_ring[io->buffer_tail & (RECV_BUFFERS - 1)];
  b->addr = (uintptr_t)(io->buffers + (size_t)bid * RECV_BUFFER_BYTES);
  b->len = RECV_BUFFER_BYTES;
  b->bid = bid;
  io->buffer_tail++;
}

static void publish_buffers(Io *io) {
  __atomic_store_n(&io->buffer_ring[0].resv, io->buffer_tail, __ATOMIC_RELEASE);
}

/**
 * Take the completions the kernel has posted: a socket's receive posts one
 * per datagram (it waits in its buffer until receive() takes it) and one
 * when it ends; sends and cancels post only failures, which lose that
 * packet only.
 */
static void reap(Io *io) {
  Uring *r = &io->ring;
  uint32_t head = *r->cq_head, tail = __atomic_load_n(r->cq_tail, __ATOMIC_ACQUIRE);
  for (; head != tail; head++) {
    const UringCqe *c = &r->cqes[head & r->cq_mask];
    if (c->user_data & (TAG_SEND | TAG_CANCEL) || c->user_data >= io->count) continue;
    Sock *s = &io->socks[c->user_data];
    // Ended: cancelled, out of buffers (ENOBUFS), the completion queue full, an error.
    int ended = !(c->flags & URING_CQE_F_MORE);
    int has_buffer = c->flags & URING_CQE_F_BUFFER;
    uint16_t bid = (uint16_t)(c->flags >> URING_CQE_BUFFER_SHIFT);
    if (ended) s->armed = 0;
    if (!s->closing) {
      io->ready[io->ready_count++] = (Ready){ (uint32_t)c->user_data, s->gen, c->res, bid, (uint8_t)has_buffer, (uint8_t)ended };
      continue;
    }
    if (has_buffer) recycle(io, bid);
    if (ended && s->fd < 0) s->closing = 0; // given back after its close gave up waiting: the slot can go
  }
  __atomic_store_n(r->cq_head, head, __ATOMIC_RELEASE);
  publish_buffers(io);
}

/** A submission entry, entering the kernel first when the queue is full; NULL if even that failed. */
static UringSqe *next_sqe(Io *io) {
  UringSqe *sqe = uring_sqe(&io->ring);
  if (!sqe && uring_enter(&io->ring, 0, 0, -1) == 0) sqe = uring_sqe(&io->ring);
  return sqe;
}

/**
 * Queue socket `index`'s receive (it reaches the kernel with the next
 * enter): one multishot RECVMSG that stays armed, a completion per datagram
 * into a buffer of group 0, until it ends.
 */
static void arm(Io *io, uint32_t index) {
  Sock *s = &io->socks[index];
  UringSqe *sqe = next_sqe(io);
  if (!sqe) return; // the ring is broken: this socket hears nothing more
  sqe->user_data = index;
  s->armed = 1;
  sqe->opcode = URING_OP_RECVMSG;
  sqe->fd = s->fd;
  sqe->addr = (uintptr_t)&io->multi_msg;
  sqe->ioprio = URING_RECV_MULTISHOT;
  sqe->flags = URING_SQE_BUFFER_SELECT;
  sqe->buf_index = 0; // the buffer group
}

/** Socket `i` is to be closed at the next close_marked (it sends and hears nothing from then: its owner forgets it). */
static void mark(Io *io, uint32_t i) {
  Sock *s = &io->socks[i];
  if (s->fd < 0 || s->closing) return;
  s->closing = 1;
  io->marked[io->marked_count++] = i;
}

/** Any marked socket's receive is still with the kernel. */
static int marked_armed(Io *io) {
  for (uint32_t k = 0; k < io->marked_count; k++) {
    Sock *s = &io->socks[io->marked[k]];
    if (s->fd >= 0 && s->armed) return 1;
  }
  return 0;
}

/**
 * Close the sockets marked since the last call, all at once (a media worker
 * closes a command batch's sockets together: one cancel and wait, however
 * many). A socket's armed receive holds the socket: it is cancelled, and
 * the socket closed and its slot freed only once the kernel has given the
 * receive back (otherwise the port would stay bound for a while after
 * close, and a slot reused at once could take the old receive's completion).
 */
static void close_marked(Io *io) {
  if (io->marked_count == 0) return;
  if (!ring_mode(io)) {
    for (uint32_t k = 0; k < io->marked_count; k++) {
      Sock *s = &io->socks[io->marked[k]];
      epoll_ctl(io->epfd, EPOLL_CTL_DEL, s->fd, NULL);
      close(s->fd);
      s->fd = -1;
      s->closing = 0;
    }
    io->marked_count = 0;
    return;
  }
  uint32_t waiting = 0;
  for (uint32_t k = 0; k < io->marked_count; k++) {
    uint32_t i = io->marked[k];
    Sock *s = &io->socks[i];
    if (s->fd < 0 || !s->armed) continue;
    UringSqe *sqe = next_sqe(io);
    if (!sqe) break;
    sqe->opcode = URING_OP_ASYNC_CANCEL;
    sqe->fd = -1;
    sqe->addr = i;
    sqe->user_data = TAG_CANCEL;
    if (io->ring.features & URING_FEAT_CQE_SKIP) sqe->flags = URING_SQE_CQE_SKIP_SUCCESS;
    waiting++;
  }
  for (int tries = 0; waiting && tries < CANCEL_TRIES; tries++) {
    if (uring_enter(&io->ring, 1, 1, CANCEL_WAIT_MS) < 0) break;
    reap(io);
    waiting = marked_armed(io);
  }
  for (uint32_t k = 0; k < io->marked_count; k++) {
    Sock *s = &io->socks[io->marked[k]];
    close(s->fd);
    s->fd = -1;
    s->gen++;
    if (!s->armed) s->closing = 0; // else reap frees the slot when the receive comes back
  }
  io->marked_count = 0;
}

/** Close every socket: when the handle is collected, and when its thread ends (a terminated worker collects nothing). */
static void io_close_all(void *data) {
  Io *io = data;
  if (ring_mode(io)) {
    for (uint32_t i = 0; i < io->count; i++) mark(io, i);
    close_marked(io);
    uring_close(&io->ring);
    int given_back = 1;
    for (uint32_t i = 0; i < io->count; i++) given_back &= !io->socks[i].armed;
    if (given_back) free_buffers(io); // else the kernel may still write into one: they stay
  }
  for (uint32_t i = 0; i < io->count; i++) {
    if (io->socks[i].fd >= 0) close(io->socks[i].fd);
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
  free(io->marked);
  free(io->sources);
  free(io->ready);
  free(io->send_msgs);
  free(io->send_iovs);
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

/**
 * The ring, its receive buffers mapped and handed to the kernel as buffer
 * group 0, and the send headers; 0, or -errno with `why` filled in (then
 * nothing is left open).
 */
static int open_ring(Io *io, char *why, size_t size) {
  const char *what = NULL;
  int err = uring_open(&io->ring, RING_SQ, RING_CQ, &what);
  if (err == 0) {
    void *ring = mmap(NULL, RECV_BUFFERS * sizeof(UringBuf), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    void *buffers = mmap(NULL, RECV_BUFFERS * RECV_BUFFER_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    io->buffer_ring = ring == MAP_FAILED ? NULL : ring;
    io->buffers = buffers == MAP_FAILED ? NULL : buffers;
    io->ready = malloc(RECV_BUFFERS * sizeof *io->ready);
    io->send_msgs = calloc(io->ring.sq_entries, sizeof *io->send_msgs);
    io->send_iovs = calloc(io->ring.sq_entries, sizeof *io->send_iovs);
    err = io->buffer_ring && io->buffers && io->ready && io->send_msgs && io->send_iovs ? 0 : -ENOMEM;
    what = "memory for the receive buffers";
    if (err == 0) {
      err = uring_register_buffers(&io->ring, io->buffer_ring, RECV_BUFFERS, 0);
      what = "io_uring_register(PBUF_RING)";
    }
  }
  if (err < 0) {
    snprintf(why, size, "%s %s", what, strerrorname_np(-err) ? strerrorname_np(-err) : "EIO");
    if (io->ring.fd >= 0) uring_close(&io->ring);
    free_buffers(io);
    free(io->ready);
    free(io->send_msgs);
    free(io->send_iovs);
    io->ready = NULL;
    io->send_msgs = NULL;
    io->send_iovs = NULL;
    return err;
  }
  io->buffer_tail = 0;
  for (uint32_t bid = 0; bid < RECV_BUFFERS; bid++) recycle(io, (uint16_t)bid);
  publish_buffers(io);
  io->multi_msg = (struct msghdr){ .msg_namelen = RECV_NAME, .msg_controllen = CONTROL_BYTES };
  return 0;
}

// uringUnavailable(): why this process cannot use io_uring (a string), or null when it can
static napi_value uring_unavailable(napi_env env, napi_callback_info info) {
  (void)info;
  Io probe = { .ring = { .fd = -1 } };
  char why[160];
  napi_value out;
  if (open_ring(&probe, why, sizeof why) == 0) {
    uring_close(&probe.ring);
    free_buffers(&probe);
    free(probe.ready);
    free(probe.send_msgs);
    free(probe.send_iovs);
    CHECK(env, napi_get_null(env, &out));
  } else CHECK(env, napi_create_string_utf8(env, why, NAPI_AUTO_LENGTH, &out));
  return out;
}

// create(recv: ArrayBuffer, send: ArrayBuffer, uring: boolean): io (through io_uring if asked and it can be set up, else epoll)
static napi_value create(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3], out;
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  Io *io = calloc(1, sizeof *io);
  if (!io) return throw_errno(env, "calloc", ENOMEM, NULL, 0);
  io->epfd = -1;
  io->ring.fd = -1;
  if (argc < 2 || !buffer_of(env, argv[0], &io->recv, &io->recv_bytes) || !buffer_of(env, argv[1], &io->send, &io->send_bytes)) {
    free(io);
    napi_throw_type_error(env, NULL, "rtp_udp.create(recv: ArrayBuffer, send: ArrayBuffer, uring?: boolean)");
    return NULL;
  }
  bool want_ring = false;
  if (argc > 2) napi_get_value_bool(env, argv[2], &want_ring);
  io->sources = calloc(io->recv_bytes / SLOT_BYTES + 1, sizeof *io->sources);
  char why[160];
  if (!want_ring || !io->sources || open_ring(io, why, sizeof why) < 0) io->epfd = epoll_create1(EPOLL_CLOEXEC);
  if ((!ring_mode(io) && io->epfd < 0) || !io->sources) {
    int err = io->sources ? errno : ENOMEM;
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

// kind(io): 'io_uring' | 'epoll'
static napi_value kind(napi_env env, napi_callback_info info) {
  napi_value argv[1], out;
  Io *io = call_args(env, info, 1, argv);
  if (!io) return NULL;
  CHECK(env, napi_create_string_utf8(env, ring_mode(io) ? "io_uring" : "epoll", NAPI_AUTO_LENGTH, &out));
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
  int family;
  const char *syscall;
  int fd = open_udp_socket(host, port, &family, &syscall);
  if (fd < 0) return throw_errno(env, syscall, -fd, host, port);
  int on = 1;
  setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on);
  uint32_t i = 0;
  while (i < io->count && (io->socks[i].fd >= 0 || io->socks[i].armed)) i++; // a slot whose receive the kernel still has is not free
  if (i == io->count) {
    if (io->count == io->capacity) {
      uint32_t capacity = io->capacity ? io->capacity * 2 : 64;
      Sock *grown = realloc(io->socks, capacity * sizeof *grown);
      Ready *ready = grown && ring_mode(io) ? realloc(io->ready, (capacity + RECV_BUFFERS) * sizeof *ready) : NULL;
      uint32_t *marked = grown ? realloc(io->marked, capacity * sizeof *marked) : NULL;
      if (grown) io->socks = grown;
      if (ready) io->ready = ready;
      if (marked) io->marked = marked;
      if (!grown || (ring_mode(io) && !ready) || !marked) {
        close(fd);
        return throw_errno(env, "realloc", ENOMEM, NULL, 0);
      }
      io->capacity = capacity;
    }
    io->socks[i].gen = 0;
    io->count++;
  }
  Sock *s = &io->socks[i];
  uint32_t gen = s->gen;
  memset(s, 0, sizeof *s);
  s->fd = fd;
  s->family = family;
  s->gen = gen;
  if (ring_mode(io)) arm(io, i);
  else {
    struct epoll_event ev = { .events = EPOLLIN, .data = { .u32 = i } };
    if (epoll_ctl(io->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
      int err = errno;
      close(fd);
      s->fd = -1;
      return throw_errno(env, "epoll_ctl", err, NULL, 0);
    }
  }
  CHECK(env, napi_create_uint32(env, i, &out));
  return out;
}

// close(io, socket): closed now
static napi_value close_socket(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  Io *io = call_args(env, info, 2, argv);
  if (!io) return NULL;
  Sock *s = get_sock(io, env, argv[1]);
  if (s) {
    mark(io, (uint32_t)(s - io->socks));
    close_marked(io);
  }
  return NULL;
}

// closeLater(io, socket): closed at the next closeMarked(io), with every socket marked before it
static napi_value close_later(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  Io *io = call_args(env, info, 2, argv);
  if (!io) return NULL;
  Sock *s = get_sock(io, env, argv[1]);
  if (s) mark(io, (uint32_t)(s - io->socks));
  return NULL;
}

// closeMarked(io)
static napi_value close_marked_now(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  Io *io = call_args(env, info, 1, argv);
  if (io) close_marked(io);
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

/**
 * Receive slot `used` for a datagram of socket `index` whose data is at
 * `data` (moved into the slot unless already there): its header, with the
 * arrival time from the kernel's timestamp (SO_TIMESTAMPNS) in `h`'s control.
 */
static void put_slot(Io *io, uint32_t used, uint32_t index, const struct msghdr *h, const uint8_t *data, uint16_t length, double real_minus_mono) {
  Sock *s = &io->socks[index];
  uint8_t *slot = io->recv + (size_t)used * SLOT_BYTES;
  const struct sockaddr_storage *from = h->msg_name;
  double arrival = clock_ms(CLOCK_MONOTONIC);
  for (struct cmsghdr *c = CMSG_FIRSTHDR(h); c; c = CMSG_NXTHDR((struct msghdr *)h, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
      struct timespec t;
      memcpy(&t, CMSG_DATA(c), sizeof t);
      arrival = t.tv_sec * 1e3 + t.tv_nsec / 1e6 - real_minus_mono;
    }
  }
  uint16_t flags = 0;
  if (!same_address(from, h->msg_namelen, &s->source, s->source_len)) {
    memcpy(&s->source, from, h->msg_namelen);
    s->source_len = h->msg_namelen;
    io->sources[used] = s->source;
    flags = 1;
  }
  uint16_t port = ntohs(from->ss_family == AF_INET6 ? ((const struct sockaddr_in6 *)from)->sin6_port : ((const struct sockaddr_in *)from)->sin_port);
  memcpy(slot, &index, 4);
  memcpy(slot + 4, &length, 2);
  memcpy(slot + 6, &flags, 2);
  memcpy(slot + 8, &arrival, 8);
  memcpy(slot + 16, &port, 2);
  if (data != slot + SLOT_HEADER) memmove(slot + SLOT_HEADER, data, length);
}

/** The epoll path: every readable socket drained with recvmmsg straight into the slots. */
static uint32_t epoll_receive(Io *io, double real_minus_mono) {
  uint32_t slots = io->recv_bytes / SLOT_BYTES, used = 0;
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
          // A truncated datagram before this one left its slot free: put_slot moves this one down.
          put_slot(io, used, index, h, iov[k].iov_base, (uint16_t)msgs[k].msg_len, real_minus_mono);
          used++;
        }
        if ((uint32_t)got < want || used == slots) break;
      }
    }
  } while (n == EVENTS && used < slots);
  return used;
}

/** Ready sockets' datagrams into the slots from `used` on, each socket's receive armed again; the new `used`. */
static uint32_t take_ready(Io *io, uint32_t used, double real_minus_mono) {
  uint32_t slots = io->recv_bytes / SLOT_BYTES, i = 0;
  for (; i < io->ready_count && used < slots; i++) {
    Ready r = io->ready[i];
    Sock *s = &io->socks[r.index];
    int open = s->fd >= 0 && s->gen == r.gen; // else closed since
    // An error (ICMP port unreachable on a connected socket …) loses nothing but itself, as on the epoll path.
    if (open && r.has_buffer && r.res >= (int32_t)RECV_DATA) {
      uint8_t *b = io->buffers + (size_t)r.bid * RECV_BUFFER_BYTES;
      UringRecvmsgOut *out = (UringRecvmsgOut *)b;
      struct msghdr h = { .msg_name = b + sizeof *out, .msg_namelen = out->namelen, .msg_control = b + sizeof *out + RECV_NAME, .msg_controllen = out->controllen };
      if (!(out->flags & MSG_TRUNC) && out->payloadlen <= MAX_DATAGRAM && out->namelen <= RECV_NAME)
        put_slot(io, used++, r.index, &h, b + RECV_DATA, (uint16_t)out->payloadlen, real_minus_mono);
    }
    if (r.has_buffer) recycle(io, r.bid);
    if (open && r.rearm && !s->armed) arm(io, r.index);
  }
  io->ready_count -= i;
  memmove(io->ready, io->ready + i, io->ready_count * sizeof *io->ready);
  publish_buffers(io);
  return used;
}

/**
 * The io_uring path: enter (submitting what is queued and running the
 * receives completed since), take what completed, and enter again with the
 * receives re-armed — a datagram already waiting behind the one taken
 * completes at once — until nothing more comes. Newer kernels run a limited
 * number of deferred completions per enter (20 per pass from 6.13), so a
 * busy step may take a few passes.
 */
static uint32_t ring_receive(Io *io, double real_minus_mono) {
  uint32_t slots = io->recv_bytes / SLOT_BYTES, used = take_ready(io, 0, real_minus_mono);
  for (int pass = 0; pass < 256 && used < slots; pass++) {
    if (uring_enter(&io->ring, 1, 0, -1) < 0) break;
    uint32_t before = io->ready_count;
    reap(io);
    if (io->ready_count == before) break;
    used = take_ready(io, used, real_minus_mono);
  }
  return used;
}

// receive(io): datagrams written into the receive buffer (call again while it comes back full)
static napi_value receive(napi_env env, napi_callback_info info) {
  napi_value argv[1], out;
  Io *io = call_args(env, info, 1, argv);
  if (!io) return NULL;
  double real_minus_mono = realtime_minus_monotonic();
  uint32_t used = ring_mode(io) ? ring_receive(io, real_minus_mono) : epoll_receive(io, real_minus_mono);
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

/**
 * Queue one send on the ring. MSG_DONTWAIT: a send the kernel cannot take
 * at once fails (that packet is lost, as with sendmsg on the epoll path)
 * instead of waiting in the kernel, so every send is done with the send
 * buffer when io_uring_enter returns and JS may write the next step's
 * packets into it. Successful sends post no completion where the kernel
 * can skip them.
 */
static int queue_send(Io *io, Sock *s, uint8_t *data, uint16_t length) {
  UringSqe *sqe = next_sqe(io);
  if (!sqe) return 0;
  sqe->fd = s->fd;
  sqe->op_flags = MSG_DONTWAIT;
  sqe->user_data = TAG_SEND;
  if (io->ring.features & URING_FEAT_CQE_SKIP) sqe->flags = URING_SQE_CQE_SKIP_SUCCESS;
  if (s->connected) {
    sqe->opcode = URING_OP_SEND;
    sqe->addr = (uintptr_t)data;
    sqe->len = length;
    return 1;
  }
  // Kept until the entry is submitted: one header per submission entry.
  uint32_t entry = (io->ring.sq_local_tail - 1) & io->ring.sq_mask;
  struct iovec *v = &io->send_iovs[entry];
  struct msghdr *h = &io->send_msgs[entry];
  *v = (struct iovec){ .iov_base = data, .iov_len = length };
  *h = (struct msghdr){ .msg_name = &s->target, .msg_namelen = s->target_len, .msg_iov = v, .msg_iovlen = 1 };
  sqe->opcode = URING_OP_SENDMSG;
  sqe->addr = (uintptr_t)h;
  sqe->len = 1;
  return 1;
}

// flush(io, count): send the first `count` records of the send buffer; returns how many the kernel took (io_uring: were submitted)
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
    if (ring_mode(io)) {
      if (queue_send(io, s, data, length)) sent++;
      continue;
    }
    struct iovec v = { .iov_base = data, .iov_len = length };
    struct msghdr h = { .msg_iov = &v, .msg_iovlen = 1 };
    if (!s->connected) {
      h.msg_name = &s->target;
      h.msg_namelen = s->target_len;
    }
    // A refused send (ICMP unreachable, a full buffer) loses that packet only, as with dgram.
    if (sendmsg(s->fd, &h, MSG_DONTWAIT) >= 0) sent++;
  }
  if (ring_mode(io) && uring_enter(&io->ring, 0, 0, -1) < 0) sent = 0;
  CHECK(env, napi_create_uint32(env, sent, &out));
  return out;
}

NAPI_MODULE_INIT() {
  napi_property_descriptor props[] = {
    { "create", NULL, create, NULL, NULL, NULL, napi_enumerable, NULL },
    { "kind", NULL, kind, NULL, NULL, NULL, napi_enumerable, NULL },
    { "uringUnavailable", NULL, uring_unavailable, NULL, NULL, NULL, napi_enumerable, NULL },
    { "bind", NULL, bind_socket, NULL, NULL, NULL, napi_enumerable, NULL },
    { "close", NULL, close_socket, NULL, NULL, NULL, napi_enumerable, NULL },
    { "closeLater", NULL, close_later, NULL, NULL, NULL, napi_enumerable, NULL },
    { "closeMarked", NULL, close_marked_now, NULL, NULL, NULL, napi_enumerable, NULL },
    { "target", NULL, target, NULL, NULL, NULL, napi_enumerable, NULL },
    { "connect", NULL, connect_socket, NULL, NULL, NULL, napi_enumerable, NULL },
    { "receive", NULL, receive, NULL, NULL, NULL, napi_enumerable, NULL },
    { "addressAt", NULL, address_at, NULL, NULL, NULL, napi_enumerable, NULL },
    { "flush", NULL, flush, NULL, NULL, NULL, napi_enumerable, NULL },
  };
  napi_value slot, header;
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  thread_priority_define(env, exports);
  sip_udp_define(env, exports);
  napi_create_uint32(env, SLOT_BYTES, &slot);
  napi_create_uint32(env, SLOT_HEADER, &header);
  napi_set_named_property(env, exports, "SLOT_BYTES", slot);
  napi_set_named_property(env, exports, "SLOT_HEADER", header);
  return exports;
}
