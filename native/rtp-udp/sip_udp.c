// Datagrams of the main thread's SIP transport (src/telephony/sip/transport/sip-transport.ts).
//
// node:dgram sends each datagram through a destination lookup, an async-id
// scope, a request object, a system call and (with a callback) a
// process.nextTick. The SIP transport instead writes a turn's datagrams
// into one buffer and hands them here at the end of the turn: one sendmmsg
// for all of them. The socket is opened here and given to dgram
// (bind({ fd })), which keeps receiving on it through libuv.
//
// Send record (4-byte aligned, back to back):
//   u16 length, u16 port, u8 address length, 3 unused, the destination
//   address as text (IPv4 or IPv6), then the datagram; padded to 4.
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <node_api.h>
#include "udp_socket.h"
#include "sip_udp.h"

/** Records per sendmmsg. */
#define BATCH 64
#define RECORD_HEADER 8
#define MAX_ADDRESS 63

// openUdp(host: string, port: number): a UDP socket's descriptor, bound (throws with the errno's name as code)
static napi_value open_udp(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], out;
  char host[MAX_ADDRESS + 1];
  size_t n;
  int32_t port;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 2 ||
      napi_get_value_string_utf8(env, argv[0], host, sizeof host, &n) != napi_ok || napi_get_value_int32(env, argv[1], &port) != napi_ok) {
    napi_throw_type_error(env, NULL, "rtp_udp.openUdp(host, port)");
    return NULL;
  }
  int family;
  const char *syscall;
  int fd = open_udp_socket(host, port, &family, &syscall);
  if (fd < 0) return throw_errno(env, syscall, -fd, host, port);
  napi_create_int32(env, fd, &out);
  return out;
}

/**
 * sendRecords(fd: number, family: 4 | 6, records: ArrayBuffer, first: number, count: number):
 * sends records first..count-1; returns the index of the first one the
 * kernel refused (EAGAIN, an unreachable address, a bad address text …),
 * or count when it took them all. The caller sends that one another way
 * (dgram, which queues or reports the error) and calls again after it.
 */
static napi_value send_records(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5], out;
  int32_t fd, family;
  uint32_t first, count;
  void *data;
  size_t bytes;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 5 || napi_get_value_int32(env, argv[0], &fd) != napi_ok ||
      napi_get_value_int32(env, argv[1], &family) != napi_ok || napi_get_arraybuffer_info(env, argv[2], &data, &bytes) != napi_ok ||
      napi_get_value_uint32(env, argv[3], &first) != napi_ok || napi_get_value_uint32(env, argv[4], &count) != napi_ok) {
    napi_throw_type_error(env, NULL, "rtp_udp.sendRecords(fd, family, records, first, count)");
    return NULL;
  }
  int af = family == 6 ? AF_INET6 : AF_INET;
  const uint8_t *p = data;
  struct mmsghdr m[BATCH];
  struct iovec v[BATCH];
  struct sockaddr_storage to[BATCH];
  size_t at = 0;
  uint32_t i = 0, done = first;
  // Skip to record `first`.
  for (; i < first && at + RECORD_HEADER <= bytes; i++) {
    uint16_t length;
    memcpy(&length, p + at, 2);
    at += (RECORD_HEADER + p[at + 4] + length + 3u) & ~(size_t)3;
  }
  while (done < count) {
    uint32_t n = 0;
    for (; i < count && n < BATCH && at + RECORD_HEADER <= bytes; i++, n++) {
      uint16_t length, port;
      memcpy(&length, p + at, 2);
      memcpy(&port, p + at + 2, 2);
      uint8_t address_length = p[at + 4];
      size_t next = at + ((RECORD_HEADER + address_length + length + 3u) & ~(size_t)3);
      if (next > bytes || address_length > MAX_ADDRESS) break;
      char host[MAX_ADDRESS + 1];
      memcpy(host, p + at + RECORD_HEADER, address_length);
      host[address_length] = 0;
      socklen_t len;
      if (!parse_address(host, port, af, &to[n], &len)) break;
      v[n] = (struct iovec){ .iov_base = (void *)(p + at + RECORD_HEADER + address_length), .iov_len = length };
      m[n].msg_hdr = (struct msghdr){ .msg_name = &to[n], .msg_namelen = len, .msg_iov = &v[n], .msg_iovlen = 1 };
      at = next;
    }
    if (n == 0) break;
    int sent = sendmmsg(fd, m, n, MSG_DONTWAIT);
    if (sent < 0) sent = 0;
    done += (uint32_t)sent;
    if ((uint32_t)sent < n) break;
  }
  napi_create_uint32(env, done, &out);
  return out;
}

void sip_udp_define(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    { "openUdp", NULL, open_udp, NULL, NULL, NULL, napi_enumerable, NULL },
    { "sendRecords", NULL, send_records, NULL, NULL, NULL, napi_enumerable, NULL },
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
}
