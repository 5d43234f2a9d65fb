// The SIP transport's socket and batched sends (sip_udp.c): openUdp(host, port) and sendRecords(fd, family, records, first, count) on `exports`.
#pragma once
#include <node_api.h>

void sip_udp_define(napi_env env, napi_value exports);
