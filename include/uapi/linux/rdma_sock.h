/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * rdmasock: sockets over RDMA as a Linux address family.
 *
 * Userspace ABI.  The family number is not one assigned upstream: the module
 * claims a slot no in-tree socket family uses (see
 * Documentation/networking/rdma_sock.rst) and can be told to use another
 * with its "family" module parameter.  Programs that must work with either
 * read the number in use from RDMA_SOCK_FAMILY_PATH; AF_RDMA_STREAM is the
 * compiled-in default.
 */
#ifndef _UAPI_LINUX_RDMA_SOCK_H
#define _UAPI_LINUX_RDMA_SOCK_H

/*
 * 19 was AF_ECONET, whose implementation left the kernel in 3.5; neither
 * 6.1 nor 6.12 registers a family there.  It lies below AF_MAX, which the
 * socket layer requires of every registered family.
 */
#define RDMA_SOCK_DEFAULT_FAMILY	19

/* One family; two names so that code reads as what it opens. */
#define AF_RDMA_STREAM			RDMA_SOCK_DEFAULT_FAMILY
#define AF_RDMA_DGRAM			RDMA_SOCK_DEFAULT_FAMILY
#define PF_RDMA_STREAM			AF_RDMA_STREAM
#define PF_RDMA_DGRAM			AF_RDMA_DGRAM

/* The family number the loaded module registered, as decimal text. */
#define RDMA_SOCK_FAMILY_PATH		"/sys/module/rdma_sock/parameters/family"

/* Name of the module, for modprobe and delete_module(). */
#define RDMA_SOCK_MODULE_NAME		"rdma_sock"

#endif /* _UAPI_LINUX_RDMA_SOCK_H */
