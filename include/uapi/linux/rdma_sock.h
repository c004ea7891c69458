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

/*
 * Generic netlink family "rdma_sock" (Documentation/networking/
 * rdma_sock.rst, "Generic netlink").  What it shows is the caller's
 * network namespace's, but for devices and the module's totals; the
 * policy commands that change something need CAP_NET_ADMIN over the
 * namespace.  Addresses are struct sockaddr_in or sockaddr_in6, port
 * included.  Attributes a newer module adds are skipped by older tools.
 */
#define RDMA_SOCK_GENL_NAME		"rdma_sock"
#define RDMA_SOCK_GENL_VERSION		1

enum rdma_sock_genl_cmd {
	RDMA_SOCK_CMD_UNSPEC,
	RDMA_SOCK_CMD_INFO_GET,		/* do: the module */
	RDMA_SOCK_CMD_DEV_GET,		/* dump: bound RDMA devices */
	RDMA_SOCK_CMD_LINK_GET,		/* dump: the namespace's links */
	RDMA_SOCK_CMD_SOCK_GET,		/* dump: the namespace's sockets */
	RDMA_SOCK_CMD_STATS_GET,	/* do: counters */
	RDMA_SOCK_CMD_POLICY_GET,	/* dump: acceleration rules, in order */
	RDMA_SOCK_CMD_POLICY_ADD,	/* do, admin: a rule; replies with it */
	RDMA_SOCK_CMD_POLICY_DEL,	/* do, admin: rule POLICY_ID, or all */
	__RDMA_SOCK_CMD_MAX,
};

#define RDMA_SOCK_CMD_MAX		(__RDMA_SOCK_CMD_MAX - 1)

enum rdma_sock_genl_attr {
	RDMA_SOCK_A_UNSPEC,
	RDMA_SOCK_A_PAD,
	RDMA_SOCK_A_INFO,		/* nest: RDMA_SOCK_INFO_* */
	RDMA_SOCK_A_DEV,		/* nest: RDMA_SOCK_DEV_* */
	RDMA_SOCK_A_LINK,		/* nest: RDMA_SOCK_LINK_* */
	RDMA_SOCK_A_SOCK,		/* nest: RDMA_SOCK_SOCK_* */
	RDMA_SOCK_A_STATS,		/* nest of RDMA_SOCK_A_STAT */
	RDMA_SOCK_A_STAT,		/* nest: RDMA_SOCK_STAT_* */
	RDMA_SOCK_A_POLICY,		/* nest: RDMA_SOCK_POLICY_* */
	__RDMA_SOCK_A_MAX,
};

#define RDMA_SOCK_A_MAX			(__RDMA_SOCK_A_MAX - 1)

enum rdma_sock_info_attr {
	RDMA_SOCK_INFO_UNSPEC,
	RDMA_SOCK_INFO_VERSION,		/* string: the module's version */
	RDMA_SOCK_INFO_FAMILY,		/* u32: the address family number */
	RDMA_SOCK_INFO_PROTO_VERSION,	/* u8: wire protocol spoken */
	RDMA_SOCK_INFO_PROTO_MIN,	/* u8: oldest one accepted */
	__RDMA_SOCK_INFO_MAX,
};

#define RDMA_SOCK_INFO_MAX		(__RDMA_SOCK_INFO_MAX - 1)

enum rdma_sock_dev_attr {
	RDMA_SOCK_DEV_UNSPEC,
	RDMA_SOCK_DEV_NAME,		/* string, "rxe0" */
	RDMA_SOCK_DEV_INDEX,		/* u32: ib_core's device index */
	RDMA_SOCK_DEV_PORTS,		/* u32: ports */
	RDMA_SOCK_DEV_SRQ_DEPTH,	/* u32: receive buffers of the SRQ */
	RDMA_SOCK_DEV_SRQ_POSTED,	/* u32: of those, posted now */
	RDMA_SOCK_DEV_REFS,		/* u32: the list's and one per link */
	RDMA_SOCK_DEV_DYING,		/* u8: removal under way */
	RDMA_SOCK_DEV_RNR,		/* nest of RDMA_SOCK_A_STAT, kind DEVICE:
					 * the driver's RNR counters
					 */
	__RDMA_SOCK_DEV_MAX,
};

#define RDMA_SOCK_DEV_MAX		(__RDMA_SOCK_DEV_MAX - 1)

enum rdma_sock_link_state {
	RDMA_SOCK_LINK_RESOLVING,
	RDMA_SOCK_LINK_CONNECTING,
	RDMA_SOCK_LINK_UP,
	RDMA_SOCK_LINK_DEAD,
};

enum rdma_sock_link_attr {
	RDMA_SOCK_LINK_UNSPEC,
	RDMA_SOCK_LINK_PAD,
	RDMA_SOCK_LINK_ID,		/* u32 */
	RDMA_SOCK_LINK_ACTIVE,		/* u8: this host opened it */
	RDMA_SOCK_LINK_STATE,		/* u8: enum rdma_sock_link_state */
	RDMA_SOCK_LINK_LOCAL,		/* binary: sockaddr, port 0 */
	RDMA_SOCK_LINK_PEER,		/* binary: sockaddr, port 0 */
	RDMA_SOCK_LINK_DEV,		/* string: the device's name */
	RDMA_SOCK_LINK_QPN,		/* u32: our queue pair */
	RDMA_SOCK_LINK_PEER_QPN,	/* u32: the peer's */
	RDMA_SOCK_LINK_CHANNELS,	/* u32: channels on it */
	RDMA_SOCK_LINK_MAX_MSG,		/* u32: largest SEND the peer takes */
	RDMA_SOCK_LINK_TX_BYTES,	/* u64: bytes sent, headers included */
	RDMA_SOCK_LINK_TX_MSGS,		/* u64: messages sent */
	RDMA_SOCK_LINK_RX_BYTES,	/* u64: bytes received, headers incl. */
	RDMA_SOCK_LINK_RX_MSGS,		/* u64: messages received */
	RDMA_SOCK_LINK_ERRORS,		/* u64: completions in error */
	RDMA_SOCK_LINK_ERRNO,		/* u32: why it died (positive), or 0 */
	__RDMA_SOCK_LINK_MAX,
};

#define RDMA_SOCK_LINK_MAX		(__RDMA_SOCK_LINK_MAX - 1)

enum rdma_sock_sock_attr {
	RDMA_SOCK_SOCK_UNSPEC,
	RDMA_SOCK_SOCK_PAD,
	RDMA_SOCK_SOCK_TYPE,		/* u16: SOCK_STREAM or SOCK_DGRAM */
	RDMA_SOCK_SOCK_STATE,		/* u8: TCP_ESTABLISHED... as ss's */
	RDMA_SOCK_SOCK_LOCAL,		/* binary: sockaddr */
	RDMA_SOCK_SOCK_PEER,		/* binary: sockaddr */
	RDMA_SOCK_SOCK_LINK_ID,		/* u32: its link, if it has one */
	RDMA_SOCK_SOCK_CHAN,		/* u32: its channel id on the link */
	RDMA_SOCK_SOCK_PEER_CHAN,	/* u32: the peer's */
	/* A listener's RECVQ: connections queued; SENDQ: its backlog. */
	RDMA_SOCK_SOCK_RECVQ,		/* u32: bytes received, not read */
	RDMA_SOCK_SOCK_SENDQ,		/* u32: bytes written, not acked */
	RDMA_SOCK_SOCK_SND_WND,		/* u32: bytes the peer takes now */
	RDMA_SOCK_SOCK_RCV_WND,		/* u32: bytes we advertised */
	RDMA_SOCK_SOCK_UID,		/* u32: owner, in the caller's userns */
	RDMA_SOCK_SOCK_INODE,		/* u64 */
	RDMA_SOCK_SOCK_ID,		/* u64: unique in the namespace */
	__RDMA_SOCK_SOCK_MAX,
};

#define RDMA_SOCK_SOCK_MAX		(__RDMA_SOCK_SOCK_MAX - 1)

enum rdma_sock_stat_attr {
	RDMA_SOCK_STAT_UNSPEC,
	RDMA_SOCK_STAT_PAD,
	RDMA_SOCK_STAT_NAME,		/* string: "links", "rx_short"... */
	RDMA_SOCK_STAT_KIND,		/* u8: enum rdma_sock_stat_kind */
	RDMA_SOCK_STAT_VALUE,		/* u64 */
	RDMA_SOCK_STAT_TOTAL,		/* u64: the module's, all namespaces */
	__RDMA_SOCK_STAT_MAX,
};

#define RDMA_SOCK_STAT_MAX		(__RDMA_SOCK_STAT_MAX - 1)

enum rdma_sock_stat_kind {
	RDMA_SOCK_STAT_OBJECT,		/* objects alive now */
	RDMA_SOCK_STAT_EVENT,		/* events since the module loaded */
	RDMA_SOCK_STAT_DEVICE,		/* a hardware counter of the devices */
};

/*
 * Acceleration policy: rules a transparent-acceleration layer (the
 * preload library) asks before it turns an AF_INET/AF_INET6 socket into
 * an rdma_sock one.  The first rule that matches, in the order of
 * POLICY_PRIO then POLICY_ID, decides; an attribute left out matches
 * anything.  Rules belong to the network namespace.
 */
enum rdma_sock_policy_action {
	RDMA_SOCK_POLICY_ACCEL = 1,	/* use rdma_sock (TCP if the peer cannot) */
	RDMA_SOCK_POLICY_PASS,		/* leave the socket as it is */
};

enum rdma_sock_policy_attr {
	RDMA_SOCK_POLICY_UNSPEC,
	RDMA_SOCK_POLICY_ID,		/* u32: given by the module */
	RDMA_SOCK_POLICY_PRIO,		/* u32: lower first; default 1000 */
	RDMA_SOCK_POLICY_ACTION,	/* u8: enum rdma_sock_policy_action */
	RDMA_SOCK_POLICY_TYPE,		/* u16: SOCK_STREAM or SOCK_DGRAM */
	RDMA_SOCK_POLICY_FAMILY,	/* u16: AF_INET or AF_INET6; with DST */
	RDMA_SOCK_POLICY_DST,		/* binary: 4 or 16 bytes, network order */
	RDMA_SOCK_POLICY_DST_PREFIX,	/* u8: bits of DST that must match */
	RDMA_SOCK_POLICY_DPORT_MIN,	/* u16: peer ports, host order */
	RDMA_SOCK_POLICY_DPORT_MAX,	/* u16 */
	RDMA_SOCK_POLICY_PROGRAM,	/* string: the program's comm */
	__RDMA_SOCK_POLICY_MAX,
};

#define RDMA_SOCK_POLICY_MAX		(__RDMA_SOCK_POLICY_MAX - 1)
#define RDMA_SOCK_POLICY_PRIO_DEFAULT	1000
#define RDMA_SOCK_POLICY_RULES_MAX	1024	/* per namespace */

#endif /* _UAPI_LINUX_RDMA_SOCK_H */
