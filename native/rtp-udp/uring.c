// See uring.h. Kernel ABI numbers are from include/uapi/linux/io_uring.h.
#define _GNU_SOURCE
#include "uring.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

// The io_uring system calls have the same numbers on every architecture (they came after the tables were unified).
#ifndef __NR_io_uring_setup
#define __NR_io_uring_setup 425
#define __NR_io_uring_enter 426
#define __NR_io_uring_register 427
#endif

typedef struct {
  uint32_t head, tail, ring_mask, ring_entries, flags, dropped, array, resv1;
  uint64_t user_addr;
} SqOffsets;

typedef struct {
  uint32_t head, tail, ring_mask, ring_entries, overflow, cqes, flags, resv1;
  uint64_t user_addr;
} CqOffsets;

typedef struct {
  uint32_t sq_entries, cq_entries, flags, sq_thread_cpu, sq_thread_idle, features, wq_fd, resv[3];
  SqOffsets sq_off;
  CqOffsets cq_off;
} Params;

typedef struct {
  uint8_t last_op, ops_len;
  uint16_t resv;
  uint32_t resv2[3];
  struct {
    uint8_t op, resv;
    uint16_t flags;
    uint32_t resv2;
  } ops[64];
} Probe;

_Static_assert(sizeof(UringSqe) == 64, "io_uring_sqe is 64 bytes");
_Static_assert(sizeof(UringCqe) == 16, "io_uring_cqe is 16 bytes");
_Static_assert(sizeof(Params) == 120, "io_uring_params is 120 bytes");

#define SETUP_CQSIZE (1u << 3)
#define SETUP_CLAMP (1u << 4)
#define SETUP_SUBMIT_ALL (1u << 7)
#define SETUP_SINGLE_ISSUER (1u << 12)
#define SETUP_DEFER_TASKRUN (1u << 13)
#define FEAT_SINGLE_MMAP (1u << 0)
#define OFF_SQ_RING 0ull
#define OFF_CQ_RING 0x8000000ull
#define OFF_SQES 0x10000000ull
#define ENTER_GETEVENTS (1u << 0)
#define REGISTER_PROBE 8
#define REGISTER_PBUF_RING 22
#define PROBE_OP_SUPPORTED (1u << 0)

/**
 * Completions run where the worker asks for them, never in between:
 * DEFER_TASKRUN (Linux 6.1) runs a completed receive's last step only inside
 * io_uring_enter(GETEVENTS). Without it every completion would wake or
 * interrupt the worker (hundreds of times a second; COOP_TASKRUN still wakes
 * a sleeping one), so older kernels use epoll instead.
 */
#define SETUP (SETUP_CQSIZE | SETUP_CLAMP | SETUP_SUBMIT_ALL | SETUP_SINGLE_ISSUER | SETUP_DEFER_TASKRUN)

static const uint8_t NEEDED_OPS[] = { URING_OP_SENDMSG, URING_OP_RECVMSG, URING_OP_ASYNC_CANCEL, URING_OP_SEND };

int uring_open(Uring *ring, uint32_t sq_entries, uint32_t cq_entries, const char **why) {
  memset(ring, 0, sizeof *ring);
  ring->fd = -1;
  Params p;
  memset(&p, 0, sizeof p);
  p.flags = SETUP;
  p.cq_entries = cq_entries;
  int fd = (int)syscall(__NR_io_uring_setup, sq_entries, &p);
  if (fd < 0) {
    int err = errno;
    // EINVAL: a flag this kernel does not know; EPERM: a seccomp filter or kernel.io_uring_disabled; ENOSYS: none at all.
    *why = err == EINVAL ? "io_uring_setup (Linux 6.1 or later needed)" : "io_uring_setup";
    return -err;
  }
  ring->fd = fd;
  ring->features = p.features;

  Probe probe;
  memset(&probe, 0, sizeof probe);
  if (syscall(__NR_io_uring_register, fd, REGISTER_PROBE, &probe, 64) < 0) {
    int err = errno;
    *why = "io_uring_register(PROBE)";
    uring_close(ring);
    return -err;
  }
  for (size_t i = 0; i < sizeof NEEDED_OPS; i++) {
    uint8_t op = NEEDED_OPS[i];
    if (op > probe.last_op || !(probe.ops[op].flags & PROBE_OP_SUPPORTED)) {
      *why = "io_uring without the socket operations (SEND, SENDMSG, RECVMSG, ASYNC_CANCEL)";
      uring_close(ring);
      return -EOPNOTSUPP;
    }
  }

  ring->sq_map_bytes = p.sq_off.array + p.sq_entries * sizeof(uint32_t);
  ring->cq_map_bytes = p.cq_off.cqes + p.cq_entries * sizeof(UringCqe);
  if (p.features & FEAT_SINGLE_MMAP && ring->cq_map_bytes > ring->sq_map_bytes) ring->sq_map_bytes = ring->cq_map_bytes;
  ring->sq_map = mmap(NULL, ring->sq_map_bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, OFF_SQ_RING);
  if (ring->sq_map == MAP_FAILED) ring->sq_map = NULL;
  if (ring->sq_map && p.features & FEAT_SINGLE_MMAP) ring->cq_map = ring->sq_map;
  else if (ring->sq_map) {
    ring->cq_map = mmap(NULL, ring->cq_map_bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, OFF_CQ_RING);
    if (ring->cq_map == MAP_FAILED) ring->cq_map = NULL;
  }
  ring->sqes_bytes = p.sq_entries * sizeof(UringSqe);
  void *sqes = mmap(NULL, ring->sqes_bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, OFF_SQES);
  ring->sqes = sqes == MAP_FAILED ? NULL : sqes;
  if (!ring->sq_map || !ring->cq_map || !ring->sqes) {
    int err = errno;
    *why = "mmap of the io_uring queues";
    uring_close(ring);
    return -err;
  }
  uint8_t *sq = ring->sq_map, *cq = ring->cq_map;
  ring->sq_head = (uint32_t *)(sq + p.sq_off.head);
  ring->sq_tail = (uint32_t *)(sq + p.sq_off.tail);
  ring->sq_array = (uint32_t *)(sq + p.sq_off.array);
  ring->sq_mask = *(uint32_t *)(sq + p.sq_off.ring_mask);
  ring->sq_entries = p.sq_entries;
  ring->sq_local_tail = *ring->sq_tail;
  ring->cq_head = (uint32_t *)(cq + p.cq_off.head);
  ring->cq_tail = (uint32_t *)(cq + p.cq_off.tail);
  ring->cq_mask = *(uint32_t *)(cq + p.cq_off.ring_mask);
  ring->cqes = (UringCqe *)(cq + p.cq_off.cqes);
  return 0;
}

void uring_close(Uring *ring) {
  if (ring->sqes) munmap(ring->sqes, ring->sqes_bytes);
  if (ring->cq_map && ring->cq_map != ring->sq_map) munmap(ring->cq_map, ring->cq_map_bytes);
  if (ring->sq_map) munmap(ring->sq_map, ring->sq_map_bytes);
  if (ring->fd >= 0) close(ring->fd);
  memset(ring, 0, sizeof *ring);
  ring->fd = -1;
}

int uring_register_buffers(Uring *ring, void *ring_mem, uint32_t entries, uint16_t group) {
  struct {
    uint64_t ring_addr;
    uint32_t ring_entries;
    uint16_t bgid, flags;
    uint64_t resv[3];
  } reg = { .ring_addr = (uint64_t)(uintptr_t)ring_mem, .ring_entries = entries, .bgid = group };
  return syscall(__NR_io_uring_register, ring->fd, REGISTER_PBUF_RING, &reg, 1) < 0 ? -errno : 0;
}

UringSqe *uring_sqe(Uring *ring) {
  if (ring->sq_pending == ring->sq_entries) return NULL;
  uint32_t index = ring->sq_local_tail & ring->sq_mask;
  UringSqe *sqe = &ring->sqes[index];
  memset(sqe, 0, sizeof *sqe);
  ring->sq_array[index] = index;
  ring->sq_local_tail++;
  ring->sq_pending++;
  return sqe;
}

#define ENTER_EXT_ARG (1u << 3)

typedef struct {
  uint64_t sigmask;
  uint32_t sigmask_sz, min_wait_usec;
  uint64_t ts;
} GetEventsArg;

int uring_enter(Uring *ring, int wait, uint32_t min_complete, int timeout_ms) {
  __atomic_store_n(ring->sq_tail, ring->sq_local_tail, __ATOMIC_RELEASE);
  struct { int64_t sec, nsec; } ts = { timeout_ms / 1000, (int64_t)(timeout_ms % 1000) * 1000000 };
  GetEventsArg arg = { .ts = (uint64_t)(uintptr_t)&ts };
  unsigned flags = wait ? ENTER_GETEVENTS : 0;
  if (wait && timeout_ms >= 0) flags |= ENTER_EXT_ARG;
  // No SQPOLL: the kernel takes every queued entry inside the call (SUBMIT_ALL: even past one it refuses).
  for (int tries = 0;; tries++) {
    int n = (int)syscall(__NR_io_uring_enter, ring->fd, ring->sq_pending, min_complete, flags, flags & ENTER_EXT_ARG ? &arg : NULL, flags & ENTER_EXT_ARG ? sizeof arg : 0);
    if (n >= 0) {
      ring->sq_pending -= (uint32_t)n < ring->sq_pending ? (uint32_t)n : ring->sq_pending;
      if (ring->sq_pending == 0 || n == 0) return 0;
      continue;
    }
    if (errno == ETIME) return 0;
    if ((errno == EINTR || errno == EAGAIN || errno == EBUSY) && tries < 100) continue;
    return -errno;
  }
}
