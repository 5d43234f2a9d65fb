{
  "targets": [
    {
      "target_name": "rtp_udp",
      "sources": ["rtp_udp.c", "uring.c", "thread_priority.c", "udp_socket.c", "sip_udp.c"],
      "cflags": ["-O2", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "conditions": [["OS!='linux'", { "type": "none" }]]
    }
  ]
}
