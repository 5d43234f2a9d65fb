// The calling thread's scheduling, for the RTP media workers
// (src/telephony/sip/rtp/rtp-priority.ts): Node has no API for a thread's
// scheduling policy, and a media host wants only its media threads at
// real-time priority — the main thread and V8's and libuv's helper threads
// stay at normal priority, so they can never hold a media worker's core.
//
// On Linux sched_setscheduler(0, …) applies to the calling thread only (a
// thread is a task of its own), not to the process. SCHED_RESET_ON_FORK
// keeps a child process of a real-time thread from inheriting the policy;
// it is set on the way down too, because a thread without CAP_SYS_NICE
// cannot clear it once set.
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <node_api.h>
#include "thread_priority.h"

#ifndef SCHED_RESET_ON_FORK
#define SCHED_RESET_ON_FORK 0x40000000
#endif

// threadPriority(): the calling thread's real-time priority (SCHED_RR or SCHED_FIFO), 0 when it is not real-time
static napi_value thread_priority(napi_env env, napi_callback_info info) {
  (void)info;
  int policy = sched_getscheduler(0);
  struct sched_param param = { 0 };
  int realtime = (policy & ~SCHED_RESET_ON_FORK) == SCHED_RR || (policy & ~SCHED_RESET_ON_FORK) == SCHED_FIFO;
  if (realtime && sched_getparam(0, &param) < 0) param.sched_priority = 0;
  napi_value out;
  napi_create_int32(env, realtime ? param.sched_priority : 0, &out);
  return out;
}

// setThreadPriority(priority): the calling thread to SCHED_RR at `priority` (1–99), or to SCHED_OTHER with 0;
// null when done, else why not ("sched_setscheduler EPERM: …")
static napi_value set_thread_priority(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], out;
  int32_t priority = -1;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 1 || napi_get_value_int32(env, argv[0], &priority) != napi_ok || priority < 0 || priority > 99) {
    napi_throw_range_error(env, NULL, "setThreadPriority(priority): 0 (normal) or a real-time priority from 1 to 99");
    return NULL;
  }
  struct sched_param param = { .sched_priority = priority };
  int policy = (priority > 0 ? SCHED_RR : SCHED_OTHER) | SCHED_RESET_ON_FORK;
  if (sched_setscheduler(0, policy, &param) == 0) {
    napi_get_null(env, &out);
    return out;
  }
  int err = errno;
  char why[160];
  snprintf(why, sizeof why, "sched_setscheduler %s: %s", err == EPERM ? "EPERM" : err == EINVAL ? "EINVAL" : "failed", strerror(err));
  napi_create_string_utf8(env, why, NAPI_AUTO_LENGTH, &out);
  return out;
}

// threadCpuMs(): the calling thread's CPU time so far (ms)
static napi_value thread_cpu_ms(napi_env env, napi_callback_info info) {
  (void)info;
  struct timespec ts = { 0 };
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  napi_value out;
  napi_create_double(env, ts.tv_sec * 1e3 + ts.tv_nsec / 1e6, &out);
  return out;
}

void thread_priority_define(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    { "threadPriority", NULL, thread_priority, NULL, NULL, NULL, napi_enumerable, NULL },
    { "setThreadPriority", NULL, set_thread_priority, NULL, NULL, NULL, napi_enumerable, NULL },
    { "threadCpuMs", NULL, thread_cpu_ms, NULL, NULL, NULL, napi_enumerable, NULL },
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
}
