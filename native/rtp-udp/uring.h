// A minimal io_uring through raw system calls: set up, map, queue entries,
// enter, take completions. No liburing (a fresh machine has no liburing-dev
// and the addon must build with a C compiler and Node's headers alone), and
// not <linux/io_uring.h> either: the structures below are the kernel's
// stable ABI, declared here so that old kernel headers build the same code
// (the kernel it runs on is probed at set-up, see uring.c).
#ifndef RTP_UDP_URING_H
#define RTP_UDP_URING_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
  uint8_t opcode;
  uint8_t flags;
  uint16_t ioprio;
  int32_t fd;
  uint64_t off;
  uint64_t addr;
  uint32_t len;
  uint32_t op_flags; // msg_flags for the send/receive operations
  uint64_t user_data;
  uint16_t buf_index;
  uint16_t personality;
  int32_t splice_fd_in;
  uint64_t pad[2];
} UringSqe;

typedef struct {
  uint64_t user_data;
  int32_t res;
  uint32_t flags;
} UringCqe;

enum {
  URING_OP_SENDMSG = 9,
  URING_OP_RECVMSG = 10,
  URING_OP_ASYNC_CANCEL = 14,
  URING_OP_SEND = 26,
};

/** Set on a queued entry: post no completion when it succeeds (kernels with URING_FEAT_CQE_SKIP). */
#define URING_SQE_CQE_SKIP_SUCCESS (1u << 6)

typedef struct {
  int fd;
  /** What the kernel offers (URING_FEAT_*). */
  uint32_t features;
  // Submission queue: shared head/tail/mask/array, the entries, what is queued but not yet entered.
  uint32_t *sq_head, *sq_tail, *sq_array;
  uint32_t sq_mask, sq_entries;
  UringSqe *sqes;
  uint32_t sq_local_tail;
  uint32_t sq_pending;
  // Completion queue.
  uint32_t *cq_head, *cq_tail;
  uint32_t cq_mask;
  UringCqe *cqes;
  // The mappings, for uring_close.
  void *sq_map, *cq_map;
  size_t sq_map_bytes, cq_map_bytes, sqes_bytes;
} Uring;

#define URING_FEAT_CQE_SKIP (1u << 11)
#define URING_SQE_BUFFER_SELECT (1u << 5)
/** sqe->ioprio of a RECVMSG: keep receiving, one completion per datagram, into provided buffers (Linux 6.0). */
#define URING_RECV_MULTISHOT (1u << 1)
#define URING_CQE_F_BUFFER (1u << 0)
#define URING_CQE_F_MORE (1u << 1)
#define URING_CQE_BUFFER_SHIFT 16

/** A provided buffer ring's entry; the ring's tail is the first entry's last 16 bits. */
typedef struct {
  uint64_t addr;
  uint32_t len;
  uint16_t bid;
  uint16_t resv;
} UringBuf;

/** What a multishot RECVMSG writes at the start of each buffer, before the name, control and payload. */
typedef struct {
  uint32_t namelen, controllen, payloadlen, flags;
} UringRecvmsgOut;

/** Register provided buffer ring `group` of `entries` at `ring_mem` (page-aligned). 0 or -errno. */
int uring_register_buffers(Uring *ring, void *ring_mem, uint32_t entries, uint16_t group);

/**
 * A ring with `sq_entries` submission and `cq_entries` completion entries
 * that can send and receive on sockets (SEND, SENDMSG, RECVMSG,
 * ASYNC_CANCEL), entered only from the calling thread, whose completions
 * run only inside uring_enter(wait) (Linux 6.1 or later). 0, or -errno with
 * `why` naming what failed (io_uring_setup: EPERM under a seccomp filter,
 * ENOSYS on an old kernel …).
 */
int uring_open(Uring *ring, uint32_t sq_entries, uint32_t cq_entries, const char **why);
void uring_close(Uring *ring);

/** A zeroed submission entry; NULL when the queue is full (enter first). */
UringSqe *uring_sqe(Uring *ring);

/**
 * Submit everything queued; with `wait`, also run the completions the
 * kernel deferred and wait until `min_complete` completions are there (at
 * most `timeout_ms` when ≥ 0). Returns 0 or -errno.
 */
int uring_enter(Uring *ring, int wait, uint32_t min_complete, int timeout_ms);

/** The completion at the head of the queue, or NULL; uring_cq_advance(ring, 1) consumes it. */
static inline UringCqe *uring_cqe(Uring *ring) {
  uint32_t head = *ring->cq_head;
  if (head == __atomic_load_n(ring->cq_tail, __ATOMIC_ACQUIRE)) return NULL;
  return &ring->cqes[head & ring->cq_mask];
}

static inline void uring_cq_advance(Uring *ring, uint32_t n) {
  __atomic_store_n(ring->cq_head, *ring->cq_head + n, __ATOMIC_RELEASE);
}

#endif
