// The calling thread's scheduling (thread_priority.c): threadPriority(), setThreadPriority(priority) and threadCpuMs() on `exports`.
#pragma once
#include <node_api.h>

void thread_priority_define(napi_env env, napi_value exports);
