/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rdmasock: interface for in-kernel consumers.
 *
 * A kernel user (a file system, a block transport) opens the same sockets
 * userspace does:
 *
 *	err = sock_create_kern(net, rdma_sock_family(), SOCK_STREAM, 0, &sock);
 *
 * and then uses kernel_bind(), kernel_connect(), kernel_sendmsg() and
 * friends.  Calling rdma_sock_family() makes the consumer depend on
 * rdma_sock.ko, so the module is loaded first and cannot be unloaded while
 * the consumer is.
 */
#ifndef _NET_RDMA_SOCK_H
#define _NET_RDMA_SOCK_H

#include <uapi/linux/rdma_sock.h>

/* The address family number the loaded module registered. */
int rdma_sock_family(void);

#endif /* _NET_RDMA_SOCK_H */
