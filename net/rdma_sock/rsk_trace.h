/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rdmasock: tracepoints (TRACE_SYSTEM rdma_sock), base layer.
 *
 * What happened to links and channels, and what was dropped, seen in the
 * field without a rebuild:
 *
 *   perf trace -e 'rdma_sock:*'   or
 *   echo 1 > /sys/kernel/tracing/events/rdma_sock/enable
 *
 * The counters stay (rsk_stats.c); rsk_event fires for every counted
 * event but the per-message ones, with the counter's name.  Arguments are
 * plain values, so that every layer can fire them.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM rdma_sock

#if !defined(_RSK_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _RSK_TRACE_H

#include <linux/tracepoint.h>
#include <net/tcp_states.h>

/*
 * __assign_str() lost its source argument in 6.10 (Kbuild tells which we
 * have): the string fields here are named as the arguments they copy.
 */
#ifdef RSK_HAVE_ASSIGN_STR_1
#define rsk_assign_str(arg)	__assign_str(arg)
#else
#define rsk_assign_str(arg)	__assign_str(arg, arg)
#endif

TRACE_DEFINE_ENUM(TCP_ESTABLISHED);
TRACE_DEFINE_ENUM(TCP_SYN_SENT);
TRACE_DEFINE_ENUM(TCP_FIN_WAIT1);
TRACE_DEFINE_ENUM(TCP_FIN_WAIT2);
TRACE_DEFINE_ENUM(TCP_CLOSE);
TRACE_DEFINE_ENUM(TCP_CLOSE_WAIT);
TRACE_DEFINE_ENUM(TCP_LAST_ACK);
TRACE_DEFINE_ENUM(TCP_LISTEN);

#define rsk_show_tcp_state(state)					\
	__print_symbolic(state,						\
			 { TCP_ESTABLISHED, "ESTABLISHED" },		\
			 { TCP_SYN_SENT, "SYN_SENT" },			\
			 { TCP_FIN_WAIT1, "FIN_WAIT1" },		\
			 { TCP_FIN_WAIT2, "FIN_WAIT2" },		\
			 { TCP_CLOSE, "CLOSE" },			\
			 { TCP_CLOSE_WAIT, "CLOSE_WAIT" },		\
			 { TCP_LAST_ACK, "LAST_ACK" },			\
			 { TCP_LISTEN, "LISTEN" })

/* enum rsk_link_state, by number: rsk.h is not read by this header. */
#define rsk_show_link_state(state)					\
	__print_symbolic(state,						\
			 { 0, "resolving" },				\
			 { 1, "connecting" },				\
			 { 2, "up" },					\
			 { 3, "dead" },					\
			 { 4, "proving" })

/* A link changed state; err is why a dead one died (0: closed cleanly). */
TRACE_EVENT(rsk_link_state,
	TP_PROTO(u32 link_id, bool active, const struct in6_addr *peer,
		 int state, int err),
	TP_ARGS(link_id, active, peer, state, err),
	TP_STRUCT__entry(
		__field(u32, link_id)
		__field(bool, active)
		__array(u8, peer, 16)
		__field(int, state)
		__field(int, err)
	),
	TP_fast_assign(
		__entry->link_id = link_id;
		__entry->active = active;
		memcpy(__entry->peer, peer, 16);
		__entry->state = state;
		__entry->err = err;
	),
	TP_printk("link=%u %s peer=%pI6c state=%s err=%d",
		  __entry->link_id, __entry->active ? "active" : "passive",
		  __entry->peer, rsk_show_link_state(__entry->state),
		  __entry->err)
);

/* A stream socket's channel changed state (TCP's names). */
TRACE_EVENT(rsk_chan_state,
	TP_PROTO(u32 link_id, u32 chan, int oldstate, int newstate),
	TP_ARGS(link_id, chan, oldstate, newstate),
	TP_STRUCT__entry(
		__field(u32, link_id)
		__field(u32, chan)
		__field(int, oldstate)
		__field(int, newstate)
	),
	TP_fast_assign(
		__entry->link_id = link_id;
		__entry->chan = chan;
		__entry->oldstate = oldstate;
		__entry->newstate = newstate;
	),
	TP_printk("link=%u chan=%u %s -> %s", __entry->link_id,
		  __entry->chan, rsk_show_tcp_state(__entry->oldstate),
		  rsk_show_tcp_state(__entry->newstate))
);

/* An RST for a channel, sent or received, with its reason (rsk_wire.h). */
TRACE_EVENT(rsk_chan_reset,
	TP_PROTO(u32 link_id, u32 chan, u32 peer_chan, u32 reason, bool sent),
	TP_ARGS(link_id, chan, peer_chan, reason, sent),
	TP_STRUCT__entry(
		__field(u32, link_id)
		__field(u32, chan)
		__field(u32, peer_chan)
		__field(u32, reason)
		__field(bool, sent)
	),
	TP_fast_assign(
		__entry->link_id = link_id;
		__entry->chan = chan;
		__entry->peer_chan = peer_chan;
		__entry->reason = reason;
		__entry->sent = sent;
	),
	TP_printk("link=%u chan=%u peer_chan=%u %s reason=%u",
		  __entry->link_id, __entry->chan, __entry->peer_chan,
		  __entry->sent ? "sent" : "received", __entry->reason)
);

/* Data waits: the peer's window is closed (snd_nxt at its right edge). */
TRACE_EVENT(rsk_window_stall,
	TP_PROTO(u32 link_id, u32 chan, u32 snd_nxt, u32 snd_wnd_end,
		 u32 queued),
	TP_ARGS(link_id, chan, snd_nxt, snd_wnd_end, queued),
	TP_STRUCT__entry(
		__field(u32, link_id)
		__field(u32, chan)
		__field(u32, snd_nxt)
		__field(u32, snd_wnd_end)
		__field(u32, queued)
	),
	TP_fast_assign(
		__entry->link_id = link_id;
		__entry->chan = chan;
		__entry->snd_nxt = snd_nxt;
		__entry->snd_wnd_end = snd_wnd_end;
		__entry->queued = queued;
	),
	TP_printk("link=%u chan=%u snd_nxt=%u wnd_end=%u queued=%u",
		  __entry->link_id, __entry->chan, __entry->snd_nxt,
		  __entry->snd_wnd_end, __entry->queued)
);

/*
 * A device's SRQ fell below its limit: senders to it are about to get RNR
 * NAKs, which is the link flow control at work (the driver counts the
 * NAKs themselves: rdmasockctl dev).
 */
TRACE_EVENT(rsk_srq_low,
	TP_PROTO(const char *dev, int posted, u32 depth),
	TP_ARGS(dev, posted, depth),
	TP_STRUCT__entry(
		__string(dev, dev)
		__field(int, posted)
		__field(u32, depth)
	),
	TP_fast_assign(
		rsk_assign_str(dev);
		__entry->posted = posted;
		__entry->depth = depth;
	),
	TP_printk("dev=%s posted=%d depth=%u", __get_str(dev),
		  __entry->posted, __entry->depth)
);

/*
 * A counted event (a drop, a refused request, a timeout...): the name
 * rdmasockctl stats gives it, and the namespace's inode (0: the module's).
 */
TRACE_EVENT(rsk_event,
	TP_PROTO(const char *name, u32 netns),
	TP_ARGS(name, netns),
	TP_STRUCT__entry(
		__string(name, name)
		__field(u32, netns)
	),
	TP_fast_assign(
		rsk_assign_str(name);
		__entry->netns = netns;
	),
	TP_printk("%s netns=%u", __get_str(name), __entry->netns)
);

#endif /* _RSK_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE rsk_trace
#include <trace/define_trace.h>
