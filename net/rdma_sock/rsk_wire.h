/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rdmasock: the wire protocol, version 2 (version 1 had no link proof:
 * LINK_CHALLENGE and LINK_PROOF; its peers are rejected).
 *
 * Every multi-byte field is big-endian (network order).  The same tables
 * are in Documentation/networking/rdma_sock.rst, "The wire protocol"; a
 * change here is a change there, in the same commit.
 *
 * Two exchanges carry the protocol:
 *
 *  - rdma_cm private data, when a link (one RC QP pair between two hosts)
 *    is set up or refused: struct rsk_wire_hello and struct rsk_wire_reject.
 *  - RC SEND messages on an established link: a struct rsk_wire_hdr,
 *    then a body whose layout the type fixes.  A SEND never carries more
 *    than the peer's hello said its receive buffers hold (max_msg).
 *
 * Datagram sockets (UD) use struct rsk_wire_dgram; they share nothing with
 * links but the magic and version.
 */
#ifndef _RSK_WIRE_H
#define _RSK_WIRE_H

#include <linux/types.h>
#include <linux/build_bug.h>

#define RSK_WIRE_MAGIC		0x52534f4bU	/* "RSOK" */
#define RSK_WIRE_VERSION	2		/* what this code speaks */
#define RSK_WIRE_MIN_VERSION	2		/* oldest it still speaks */

/* ---- Link setup: rdma_cm private data ---- */

/* Capability bits in rsk_wire_hello.caps; a link uses the intersection. */
#define RSK_CAP_ZCOPY		0x00000001	/* ZC_ADV/ZC_DONE, RDMA READ */
#define RSK_CAP_FAILOVER	0x00000002	/* RESYNC, more than one link */
#define RSK_CAP_URG		0x00000004	/* DATA with RSK_DATA_URG */
#define RSK_CAPS_V1		0		/* what this code implements */

/*
 * Sent in the REQ (active side) and in the REP (passive side).  The REP's
 * version is the one the link speaks: the highest both sides speak.  A
 * receiver reads only the bytes it got (rdma_cm pads short data with
 * zeros) and ignores fields past the size it knows.
 */
struct rsk_wire_hello {
	__be32	magic;		/* RSK_WIRE_MAGIC */
	u8	version;	/* highest version the sender speaks */
	u8	min_version;	/* lowest version the sender speaks */
	__be16	flags;		/* none defined: sent 0, ignored */
	__be32	caps;		/* RSK_CAP_* the sender implements */
	__be32	max_msg;	/* largest SEND (header + body) it receives */
	__be64	host_id;	/* random per network namespace and boot */
	__be32	link_id;	/* the sender's id for this link */
	__be32	reserved;	/* sent 0, ignored */
	/*
	 * REQ: random, only on a link to one of the sender's own addresses
	 * (such a REQ never leaves the host); REP: the REQ's, echoed when
	 * the receiver is that very namespace.  0 otherwise.
	 */
	__be64	self_token;
} __packed;			/* 40 bytes: fits IB's 56-byte REQ data */

/* Why a link REQ was refused: rsk_wire_reject.reason. */
enum rsk_wire_reject_reason {
	RSK_REJECT_VERSION	= 1,	/* no version in common */
	RSK_REJECT_BUSY		= 2,	/* too many links being set up */
	RSK_REJECT_NOMEM	= 3,	/* could not allocate the link */
	RSK_REJECT_MALFORMED	= 4,	/* hello missing or invalid */
};

/* Private data of an rdma_reject() from an rdmasock peer. */
struct rsk_wire_reject {
	__be32	magic;		/* RSK_WIRE_MAGIC */
	u8	version;	/* highest version the sender speaks */
	u8	min_version;	/* lowest version the sender speaks */
	__be16	reason;		/* enum rsk_wire_reject_reason */
} __packed;

/* ---- Messages on a link ---- */

enum rsk_wire_type {
	/* link level: dst_chan and src_chan are 0 */
	RSK_MSG_KEEPALIVE	= 0x01,	/* flags: RSK_KA_REPLY */
	RSK_MSG_LINK_CLOSE	= 0x02,	/* no new channels; drain, close */
	RSK_MSG_LINK_CHALLENGE	= 0x03,	/* body: struct rsk_wire_proof */
	RSK_MSG_LINK_PROOF	= 0x04,	/* body: struct rsk_wire_proof */
	/* channel level */
	RSK_MSG_CONN_REQ	= 0x10,	/* body: struct rsk_wire_conn */
	RSK_MSG_CONN_ACCEPT	= 0x11,	/* no body */
	RSK_MSG_CONN_REFUSE	= 0x12,	/* body: struct rsk_wire_refuse */
	RSK_MSG_DATA		= 0x13,	/* body: payload bytes */
	RSK_MSG_WINDOW		= 0x14,	/* no body: ack and window update */
	RSK_MSG_FIN		= 0x15,	/* no body: sender sends no more */
	RSK_MSG_RST		= 0x16,	/* body: struct rsk_wire_rst */
	RSK_MSG_PROBE		= 0x17,	/* no body: channel keepalive */
	/* reserved for the zero-copy and failover work (not sent in v1) */
	RSK_MSG_ZC_ADV		= 0x20,	/* body: struct rsk_wire_zc_adv */
	RSK_MSG_ZC_DONE		= 0x21,	/* body: struct rsk_wire_zc_done */
	RSK_MSG_RESYNC		= 0x30,	/* body: struct rsk_wire_resync */
};

/* Flags of RSK_MSG_KEEPALIVE. */
#define RSK_KA_REPLY		0x01	/* an answer: do not answer it */

/* Flags of RSK_MSG_DATA. */
#define RSK_DATA_URG		0x01	/* last payload byte is urgent (OOB) */

/*
 * The header of every message on a link: 24 bytes.
 *
 * seq, ack and wnd count bytes of one direction of one channel, modulo
 * 2^32.  seq is the stream offset of the first payload byte (for FIN: of
 * the byte after the last); ack is the next byte the sender of the header
 * expects, i.e. everything before it has reached the sender's receive
 * queue; wnd is how many bytes past ack it will take.
 */
struct rsk_wire_hdr {
	u8	type;		/* enum rsk_wire_type */
	u8	flags;		/* per type */
	__be16	reserved;	/* sent 0, ignored */
	__be32	dst_chan;	/* receiver's channel id; 0: link level */
	__be32	src_chan;	/* sender's channel id; 0: link level */
	__be32	seq;
	__be32	ack;
	__be32	wnd;
} __packed;

/*
 * Body of RSK_MSG_CONN_REQ: which listener, from where.  Addresses are
 * the IP addresses the application used; for family 4 the first 4 bytes
 * of each address field hold the IPv4 address and the rest is zero.
 * hdr.seq is the requester's initial sequence number, hdr.wnd its
 * receive window; hdr.ack is 0.
 */
struct rsk_wire_conn {
	__be16	dst_port;	/* the listener's port, nonzero */
	__be16	src_port;	/* the requester's port, nonzero */
	u8	ip_version;	/* 4 or 6 */
	u8	reserved[3];	/* sent 0, ignored */
	u8	dst_addr[16];
	u8	src_addr[16];
} __packed;			/* 40 bytes */

/* Why a CONN_REQ was refused: rsk_wire_refuse.reason. */
enum rsk_wire_refuse_reason {
	RSK_REFUSE_NO_LISTENER	= 1,	/* nothing listens: ECONNREFUSED */
	RSK_REFUSE_OVERFLOW	= 2,	/* half-open limit: ECONNREFUSED */
	RSK_REFUSE_TIMEOUT	= 3,	/* not accepted in time: ETIMEDOUT */
	RSK_REFUSE_NOMEM	= 4,	/* no memory: ECONNREFUSED */
	RSK_REFUSE_MALFORMED	= 5,	/* bad request: ECONNREFUSED */
};

struct rsk_wire_refuse {
	__be32	reason;		/* enum rsk_wire_refuse_reason */
} __packed;

/* Why a channel was reset: rsk_wire_rst.reason (all are ECONNRESET). */
enum rsk_wire_rst_reason {
	RSK_RST_ABORT		= 1,	/* closed with unread data, linger 0 */
	RSK_RST_NO_CHANNEL	= 2,	/* message for a channel not known */
	RSK_RST_PROTOCOL	= 3,	/* sequence, window or size violated */
	RSK_RST_SHUTDOWN	= 4,	/* link or module going away */
};

struct rsk_wire_rst {
	__be32	reason;		/* enum rsk_wire_rst_reason */
} __packed;

/*
 * Body of RSK_MSG_LINK_CHALLENGE and RSK_MSG_LINK_PROOF: the passive end
 * sends a random cookie over the new QP, which goes to the address the
 * REQ claimed; the active end echoes it.  Until then neither end sends
 * or takes any other message on the link.
 */
struct rsk_wire_proof {
	__be64	cookie;		/* random, nonzero */
} __packed;

/* Reserved bodies, fixed now so later work does not change their layouts. */
struct rsk_wire_zc_adv {
	__be64	addr;		/* remote address of the source buffer */
	__be32	rkey;		/* its rkey, valid until ZC_DONE */
	__be32	len;		/* bytes, starting at stream offset hdr.seq */
} __packed;

struct rsk_wire_zc_done {
	__be32	seq;		/* the ZC_ADV this completes */
	__be32	len;		/* bytes the receiver read */
} __packed;

struct rsk_wire_resync {
	__be32	rcv_nxt;	/* next byte the sender of this expects */
	__be32	snd_nxt;	/* next byte it will send */
} __packed;

/* ---- Datagrams (UD): reserved for the datagram work ---- */

/* Flags of struct rsk_wire_dgram. */
#define RSK_DGRAM_NOLOOP	0x01	/* not for the sender's own endpoint */

struct rsk_wire_dgram {
	__be32	magic;		/* RSK_WIRE_MAGIC */
	u8	version;
	u8	flags;		/* RSK_DGRAM_* */
	__be16	dst_port;
	__be16	src_port;
	__be16	frag_off;	/* in 8-byte units */
	__be32	msg_id;		/* for reassembly */
	__be32	total_len;	/* whole datagram, bytes */
} __packed;

/* Sequence numbers wrap: compare them as TCP's before()/after() do. */
static inline bool rsk_seq_before(u32 a, u32 b)
{
	return (s32)(a - b) < 0;
}

static inline bool rsk_seq_after(u32 a, u32 b)
{
	return rsk_seq_before(b, a);
}

static inline void rsk_wire_check_sizes(void)
{
	BUILD_BUG_ON(sizeof(struct rsk_wire_hello) != 40);
	BUILD_BUG_ON(sizeof(struct rsk_wire_reject) != 8);
	BUILD_BUG_ON(sizeof(struct rsk_wire_hdr) != 24);
	BUILD_BUG_ON(sizeof(struct rsk_wire_conn) != 40);
	BUILD_BUG_ON(sizeof(struct rsk_wire_refuse) != 4);
	BUILD_BUG_ON(sizeof(struct rsk_wire_rst) != 4);
	BUILD_BUG_ON(sizeof(struct rsk_wire_proof) != 8);
	BUILD_BUG_ON(sizeof(struct rsk_wire_zc_adv) != 16);
	BUILD_BUG_ON(sizeof(struct rsk_wire_zc_done) != 8);
	BUILD_BUG_ON(sizeof(struct rsk_wire_resync) != 8);
	BUILD_BUG_ON(sizeof(struct rsk_wire_dgram) != 20);
}

#endif /* _RSK_WIRE_H */
